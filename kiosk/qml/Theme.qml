import QtQuick

// Colours and sizes from the view-model's accessibility choices; no logic beyond bindings.
QtObject {
    property bool contrast: false
    property bool large: false
    readonly property real scale: large ? 1.3 : 1.0
    readonly property color background: contrast ? "#000000" : "#f4f6fa"
    readonly property color surface: contrast ? "#000000" : "#ffffff"
    readonly property color text: contrast ? "#ffff00" : "#1b2430"
    readonly property color muted: contrast ? "#ffff00" : "#5b6676"
    readonly property color accent: contrast ? "#ffff00" : "#0b5cad"
    readonly property color accentText: contrast ? "#000000" : "#ffffff"
    readonly property color border: contrast ? "#ffff00" : "#d5dbe5"
    readonly property color warning: contrast ? "#ffff00" : "#b3261e"
}
