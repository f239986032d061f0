// One line of text in its box: at `size`, shrunk to fit the box's width and height but never below `floor`
// (display.legibility's rule). Give it a width and a height (anchors, or a plain Item a layout sizes): the box is
// the line.
//
// Why not fontSizeMode: with a width set by anchors or a layout, Qt 6.11 kept the unfitted size (measured: a
// 806 px line drawn in a 675 px box). TextMetrics measures at `size`, independent of what is drawn: no loop.
//
// Why a fixed line height: a font's line box is not its glyphs. Noto Sans Arabic's is 2.11 em (room for stacked
// marks no board shows) while its letters, dots and hamzas take ~1.4 em, as Noto Sans's do; left to the font,
// an Arabic line is 45 % taller than its box and runs over its neighbours. The line is the box (FixedHeight); the
// font shrinks only if the text's real ink (TextMetrics' tight box, in whichever font draws the script) or Noto
// Sans's own line (Qt's least for a fixed line) is taller than the box; the baseline is placed so that the ink
// sits in the middle of the box (Qt puts a fixed line's baseline one ascent of the drawing font from the top: 97 px
// into a 103 px box for Arabic), hence the top padding.
// Not in a layout: its implicit size follows the fitted size, which follows the box (a binding loop). Put it in a
// plain Item the layout sizes, or give it its own width (`naturalWidth`: the width at `size`).
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
        // not fit.font: it changes with the fitted size (a binding loop); the application's font otherwise, whose
        // families list Noto Sans Arabic after Noto Sans (a "Noto Sans" alone lets the system pick the Arabic font)
        font.bold: fit.bold
        font.pixelSize: fit.size
        text: fit.text
    }
    // the text's ink at `size`, in pixels below the baseline (y grows downwards)
    readonly property real inkTop: metrics.tightBoundingRect.y
    readonly property real inkHeight: metrics.tightBoundingRect.height
    Text {  // the same line laid out by the font alone: its baseline is the ascent of the font that draws the script
        id: natural
        visible: false
        text: fit.text
        font: fit.font
    }
    // Qt makes a fixed line at least as tall as the first font's own line (Noto Sans: 1.362 em), whatever the script
    FontMetrics { id: primary; font.pixelSize: fit.size; font.bold: fit.bold }
    readonly property real tallest: Math.max(inkHeight, primary.height)
    readonly property real shrink: Math.min(
        width > 0 && metrics.advanceWidth > width ? width / metrics.advanceWidth : 1,
        height > 0 && tallest > height ? height / tallest : 1)
    font.pixelSize: shrink < 1 ? Math.max(floor, Math.floor(size * shrink)) : size
    readonly property real fitted: font.pixelSize / size
    lineHeightMode: Text.FixedHeight
    lineHeight: Math.max(1, height)
    verticalAlignment: Text.AlignTop  // the padding places the line: an alignment would move it again
    // baseline where the ink is centred: (height - inkHeight) / 2 - inkTop below the top, the font puts it at ascent
    topPadding: height > 0
                ? Math.round((height - inkHeight * fitted) / 2 - inkTop * fitted - natural.baselineOffset) : 0
}
