// Branch name, connection state and the branch's clock and date.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: header
    objectName: "header"
    required property QtObject theme
    color: theme.panel

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 30 * header.theme.u
        anchors.rightMargin: 30 * header.theme.u
        spacing: 24 * header.theme.u

        Text {
            objectName: "branchName"
            text: vm.branchName
            color: header.theme.text
            font.pixelSize: 44 * header.theme.u
            font.bold: true
            elide: Text.ElideRight
            horizontalAlignment: Text.AlignLeft
            Layout.fillWidth: true
        }
        Rectangle {
            objectName: "staleIndicator"
            visible: vm.stale
            radius: height / 2
            color: "transparent"
            border.color: header.theme.warning
            border.width: 2 * header.theme.u
            Layout.preferredHeight: 52 * header.theme.u
            Layout.preferredWidth: staleText.implicitWidth + 40 * header.theme.u
            Text {
                id: staleText
                objectName: "staleText"
                anchors.centerIn: parent
                text: qsTr("Reconnecting…")
                color: header.theme.warning
                font.pixelSize: 26 * header.theme.u
            }
        }
        ColumnLayout {
            spacing: 0
            Layout.alignment: Qt.AlignVCenter
            Layout.preferredWidth: Math.max(clock.implicitWidth, date.implicitWidth)
            Text {
                id: clock
                objectName: "clock"
                text: vm.clockText
                color: header.theme.text
                font.pixelSize: 42 * header.theme.u
                font.bold: true
                horizontalAlignment: Text.AlignRight
                Layout.fillWidth: true
            }
            Text {
                id: date
                objectName: "date"
                text: vm.dateText
                color: header.theme.muted
                font.pixelSize: 20 * header.theme.u
                horizontalAlignment: Text.AlignRight
                Layout.fillWidth: true
            }
        }
    }
}
