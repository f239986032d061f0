import QtQuick
import QtQuick.Controls.Basic

// A large touch target with a title and optional detail lines; as wide as its label needs, never a sliver.
Button {
    id: control
    property var theme
    property var lines: []
    property bool primary: false
    property bool closed: false
    // the text's scale: the theme's (large text), or less where a tile grid is short of room (kiosk/tiles.py)
    property real textScale: theme.scale
    readonly property color ink: primary ? theme.accentText : theme.text
    padding: 16
    implicitWidth: Math.max(theme.touch * 4, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(theme.touch * 1.5, implicitContentHeight + topPadding + bottomPadding)
    font.pixelSize: 30 * textScale
    onPressed: vm.touched()
    contentItem: Item {
        implicitWidth: title.implicitWidth  // the title's natural width: the button is never narrower
        implicitHeight: content.implicitHeight
        Column {
            id: content
            width: parent.width
            anchors.verticalCenter: parent.verticalCenter
            spacing: 6  // kiosk/tiles.py estimates tile heights with these sizes: keep them in step
            Text {
                id: title
                width: parent.width
                text: control.text
                font.pixelSize: control.font.pixelSize
                font.bold: true
                color: control.ink
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            Repeater {
                model: control.lines
                delegate: Text {
                    required property string modelData
                    width: parent.width
                    text: modelData
                    font.pixelSize: 24 * control.textScale
                    color: control.primary ? theme.accentText : theme.muted
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                }
            }
        }
    }
    background: Rectangle {
        radius: 14
        color: control.primary ? theme.accent : (control.closed ? theme.closedSurface : theme.surface)
        border.color: control.closed ? theme.border : theme.accent
        border.width: control.down ? 5 : (theme.contrast ? 3 : 2)
    }
}
