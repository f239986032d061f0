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
    // the board's data (calls, waits) is drawn in these: dimmer while it may be out of date (vm.stale), by colour,
    // not opacity: stale must look stale and stay readable (each >= 4.5:1 on `panel`, 3.6:1 on `line`)
    readonly property bool dim: vm.stale
    readonly property color dataText: dim ? "#a3b1c4" : text  // 6.7:1 on panel (white: 14.6:1)
    readonly property color dataMuted: dim ? "#8a9bb3" : muted  // 5.1:1 (8.5:1)
    readonly property color dataServing: dim ? "#8db39c" : serving  // 6.3:1 (7.5:1)
    readonly property color dataWarning: dim ? "#8a9bb3" : warning
    readonly property color chip: dim ? line : accent  // an open service's prefix
    readonly property color chipText: dim ? "#a3b1c4" : accentText
}
