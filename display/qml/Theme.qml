// Colours in one place; sizes from the view-model (display.legibility: screen diagonal and viewing distance).
import QtQuick

QtObject {
    property real u: 1  // one thousandth of the screen's short side: borders, radii, gaps
    readonly property var s: vm.sizesMap
    readonly property color background: "#0b1d33"
    readonly property color panel: "#13294a"
    readonly property color panelLight: "#1d3a63"
    readonly property color line: "#24406b"
    readonly property color text: "#ffffff"
    readonly property color muted: "#b8c7dc"
    readonly property color accent: "#ffb300"
    readonly property color accentText: "#0b1d33"
    readonly property color serving: "#4fd18b"
    readonly property color warning: "#ff7043"
}
