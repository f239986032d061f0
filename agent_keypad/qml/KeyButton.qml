import QtQuick
import QtQuick.Controls.Basic

// A big touch button that sends one keypad action `act` (or its own `onActivated` when `act` is empty).
Button {
    id: control
    property string act: ""
    property color tone: theme.panelLight
    property color toneText: theme.text
    property int size: 18
    signal activated()
    objectName: act ? "btn_" + act : ""
    enabled: act ? vm.enabled[act] === true : true
    focusPolicy: Qt.NoFocus
    onClicked: act ? vm.press(act) : activated()
    contentItem: Text {
        text: control.text
        color: control.enabled ? control.toneText : theme.muted
        font.pixelSize: control.size
        font.bold: true
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: theme.radius
        color: !control.enabled ? Qt.darker(theme.panel, 1.2) : control.down ? Qt.lighter(control.tone, 1.3) : control.tone
        border.color: Qt.lighter(control.tone, 1.4)
        border.width: control.enabled ? 1 : 0
    }
}
