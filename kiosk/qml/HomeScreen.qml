import QtQuick
import QtQuick.Layouts

// The services (or a group's services) as tiles filling the screen, with the printer's state before choosing.
ColumnLayout {
    id: home
    property var theme
    // Fixed heights for the texts around the tiles, the same in every language (a long text shrinks a little to
    // fit): the tiles' area, and so the tiles, never move when the customer switches language.
    readonly property int bottomHeight: Math.max(theme.touch * 1.5, Math.round(26 * theme.scale * 2.8))
    spacing: 24

    Text {
        objectName: "heading"
        text: vm.heading
        color: theme.text
        font.pixelSize: 44 * theme.scale
        font.bold: true
        fontSizeMode: Text.Fit
        minimumPixelSize: 22 * theme.scale
        Layout.fillWidth: true
        Layout.preferredHeight: Math.round(44 * theme.scale * 2.15)  // one line of Arabic, two of Latin a bit smaller
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
    }

    Rectangle {
        objectName: "printerNotice"
        visible: vm.printerNotice.length > 0
        color: theme.noticeSurface
        border.color: theme.noticeText
        border.width: 2
        radius: 12
        Layout.fillWidth: true
        Layout.preferredHeight: Math.round(28 * theme.scale * 3.5 + 24)
        Text {
            objectName: "printerNoticeText"
            anchors.fill: parent
            anchors.margins: 12
            text: vm.printerNotice
            color: theme.noticeText
            font.pixelSize: 28 * theme.scale
            font.bold: true
            fontSizeMode: Text.Fit
            minimumPixelSize: 20 * theme.scale
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
        }
    }

    Item {  // the tiles share this area: vm.tileGrid picks columns and heights for its size
        id: area
        Layout.fillWidth: true
        Layout.fillHeight: true
        readonly property var grid: vm.tileGrid(vm.tiles.length, vm.textScale, width, height)
        GridLayout {
            objectName: "tiles"
            width: parent.width
            anchors.verticalCenter: parent.verticalCenter
            columns: area.grid.columns
            columnSpacing: 16  // as kiosk/tiles.py counts them
            rowSpacing: 16
            Repeater {
                model: vm.tiles
                delegate: BigButton {
                    required property var modelData
                    theme: home.theme
                    objectName: "tile_" + modelData.id
                    text: modelData.name
                    lines: modelData.lines
                    enabled: modelData.open
                    closed: !modelData.open
                    primary: modelData.kind === "service" && modelData.open
                    textScale: home.theme.scale * area.grid.fontScale
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.preferredHeight: area.grid.tileHeight
                    onClicked: modelData.kind === "group" ? vm.openGroup(modelData.id)
                             : modelData.kind === "priority" ? vm.openPriority()
                             : vm.chooseService(modelData.id)
                }
            }
        }
    }

    RowLayout {  // bottom: Back (inside a group or the priority entry), the appointment hint
        Layout.fillWidth: true
        Layout.fillHeight: false
        Layout.preferredHeight: home.bottomHeight
        Layout.maximumHeight: home.bottomHeight
        spacing: 24
        BigButton {
            theme: home.theme
            objectName: "back"
            visible: vm.showBack
            text: qsTr("Back")
            Layout.fillHeight: true
            onClicked: vm.back()
        }
        Text {
            objectName: "appointmentHint"
            text: qsTr("Have an appointment? Scan the code from your confirmation below.")
            color: theme.muted
            font.pixelSize: 26 * theme.scale
            fontSizeMode: Text.Fit
            minimumPixelSize: 20 * theme.scale
            Layout.fillWidth: true
            Layout.fillHeight: true
            horizontalAlignment: vm.showBack ? Text.AlignLeft : Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
        }
    }
}
