import QtQuick
import QtQuick.Controls.Basic

// A big touch button that sends one keypad action `act` (or its own `onActivated` when `act` is empty).
// Its words are never cut: on one line if they fit, else on two, the font shrinking only as much as needed
// (measured with the font itself, so a long French or Arabic word fits too) — and never below
// `minimumPixelSize`, the screen's least legible size (Main.qml `textMin`, agent_keypad/theme.py): a label that
// does not fit at that size needs a wider key, which the layout audit reports.
Button {
    id: control
    property string act: ""
    property color tone: theme.panelLight
    property color toneText: theme.text
    property int size: 18
    property real minimumPixelSize: 8  // every keypad view sets it to Main.qml's textMin
    signal activated()
    objectName: act ? "btn_" + act : ""
    enabled: act ? vm.enabled[act] === true : true
    focusPolicy: Qt.NoFocus
    padding: 6
    onClicked: act ? vm.press(act) : activated()

    FontMetrics { id: metrics; font.pixelSize: control.size; font.bold: true; font.family: "Noto Sans" }
    readonly property real wholeWidth: metrics.advanceWidth(text)
    readonly property real longestWord: Math.max(1, Math.max.apply(null, text.split(/\s+/).map(
                                                     function(w) { return metrics.advanceWidth(w) })))
    readonly property bool twoLines: wholeWidth > availableWidth
    // a line's height over its font size: Noto Sans Arabic's line box is about 2.1 em, Latin's about 1.4 em
    readonly property real lineFactor: /[\u0600-\u06ff]/.test(text) ? 2.2 : 1.7
    readonly property real fitted: Math.floor(Math.min(
        size,
        size * availableWidth / longestWord,                              // the longest word on its own line
        twoLines ? size * 1.8 * availableWidth / Math.max(1, wholeWidth) : size,  // two lines at most
        availableHeight / (twoLines ? 2 : 1) / lineFactor))              // lines tall enough for their script

    contentItem: Text {
        text: control.text
        color: control.enabled ? control.toneText : theme.muted
        font.pixelSize: Math.max(control.minimumPixelSize, control.fitted)
        font.bold: true
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
    }
    background: Rectangle {
        radius: theme.radius
        // pressed darkens, so the label keeps its contrast (theme.py; tests/agent_keypad/test_theme.py)
        color: !control.enabled ? Qt.darker(theme.panel, theme.disabledDarker)
                                : control.down ? Qt.darker(control.tone, theme.pressedDarker) : control.tone
        border.color: Qt.lighter(control.tone, 1.4)
        border.width: control.enabled ? 1 : 0
    }
}
