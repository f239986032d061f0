// Colours and sizes in one place; `u` is one thousandth of the screen's short side.
import QtQuick

QtObject {
    property real u: 1
    readonly property color background: "#0b1d33"
    readonly property color panel: "#13294a"
    readonly property color line: "#24406b"
    readonly property color text: "#ffffff"
    readonly property color muted: "#9fb3cf"
    readonly property color accent: "#ffb300"
    readonly property color accentText: "#0b1d33"
    readonly property color warning: "#ff7043"
}
