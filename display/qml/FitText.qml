// One line of text at `size`, shrunk to fit its width but never below `floor` (display.legibility's rule).
// Why not fontSizeMode: with a width set by anchors or a layout, Qt 6.11 kept the unfitted size (measured: a
// 806 px line drawn in a 675 px box). TextMetrics measures at `size`, independent of what is drawn: no loop.
// In a layout, give it a preferred width: its implicit width follows the fitted size.
import QtQuick

Text {
    id: fit
    property real size: 20
    property real floor: 10
    property bool bold: false
    font.bold: bold
    readonly property real naturalWidth: metrics.advanceWidth
    TextMetrics {
        id: metrics
        font.family: "Noto Sans"  // not fit.font: it changes with the fitted size (a binding loop)
        font.bold: fit.bold
        font.pixelSize: fit.size
        text: fit.text
    }
    font.pixelSize: width > 0 && metrics.advanceWidth > width
                    ? Math.max(floor, Math.floor(size * width / metrics.advanceWidth)) : size
}
