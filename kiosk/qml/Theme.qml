import QtQuick

// Colours and sizes from the view-model's accessibility choices and the screen's size; no logic beyond bindings.
// Every text/background pair below is at least 4.5:1 (WCAG AA); the layout audit checks the rendered pixels.
QtObject {
    property bool contrast: false
    property real scale: 1.0
    // pixels per millimetre on the configured screen (its diagonal in the kiosk's configuration)
    property real pxPerMm: 4
    readonly property bool large: scale > 1.0
    // a touch target of 16 mm (the audit asks for 15), never under 64 px
    readonly property int touch: Math.max(64, Math.round(16 * pxPerMm))
    readonly property int headerHeight: Math.round(touch * (large ? 1.35 : 1.15))
    readonly property color background: contrast ? "#000000" : "#f4f6fa"
    readonly property color surface: contrast ? "#000000" : "#ffffff"
    readonly property color closedSurface: contrast ? "#000000" : "#e8ecf2"
    readonly property color text: contrast ? "#ffff00" : "#1b2430"
    readonly property color muted: contrast ? "#ffff00" : "#4a5565"
    readonly property color accent: contrast ? "#ffff00" : "#0b5cad"
    readonly property color accentText: contrast ? "#000000" : "#ffffff"
    readonly property color border: contrast ? "#ffff00" : "#9aa5b5"
    readonly property color warning: contrast ? "#ffff00" : "#b3261e"
    readonly property color noticeSurface: contrast ? "#000000" : "#fdecea"
    readonly property color noticeText: contrast ? "#ffff00" : "#8c1d18"
}
