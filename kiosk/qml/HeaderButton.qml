import QtQuick
import QtQuick.Controls.Basic

// A header control (language, large text, contrast): a fixed, touch-sized height whatever its script.
Button {
    id: control
    property var theme
    checkable: true
    topPadding: 0
    bottomPadding: 0  // the whole height for the label: Arabic script needs taller lines than Latin
    implicitHeight: theme.headerHeight
    implicitWidth: Math.max(theme.touch, label.implicitWidth + 2 * theme.touch / 3)
    font.pixelSize: 26 * theme.scale
    contentItem: Text {
        id: label
        text: control.text
        font: control.font
        color: control.checked ? theme.accentText : theme.text
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
    }
    background: Rectangle {
        radius: 10
        color: control.checked ? theme.accent : theme.surface
        border.color: theme.accent
        border.width: control.down ? 4 : 2
    }
}
