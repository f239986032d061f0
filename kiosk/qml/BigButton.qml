import QtQuick
import QtQuick.Controls.Basic

// A large touch target (at least 88 px high) with a title and an optional detail line.
Button {
    id: control
    property var theme
    property string detail: ""
    property bool primary: false
    implicitHeight: Math.max(120, content.implicitHeight + 40)
    font.pixelSize: 28 * theme.scale
    onPressed: vm.touched()
    contentItem: Item {
      implicitHeight: content.implicitHeight
      Column {
        id: content
        width: parent.width
        anchors.verticalCenter: parent.verticalCenter
        spacing: 4
        Text {
            width: parent.width
            text: control.text
            font.pixelSize: control.font.pixelSize
            font.bold: true
            color: control.primary ? theme.accentText : theme.text
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
        }
        Text {
            width: parent.width
            visible: control.detail.length > 0
            text: control.detail
            font.pixelSize: 20 * theme.scale
            color: control.primary ? theme.accentText : theme.muted
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
        }
      }
    }
    background: Rectangle {
        radius: 14
        color: control.primary ? theme.accent : theme.surface
        border.color: control.enabled ? theme.accent : theme.border
        border.width: control.down ? 4 : 2
        opacity: control.enabled ? 1.0 : 0.5
    }
}
