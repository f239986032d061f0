// The previous calls: ticket number and counter, newest first.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: recent
    objectName: "recentCalls"
    required property QtObject theme
    color: theme.panel
    radius: 16 * theme.u
    clip: true

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 24 * recent.theme.u
        spacing: 8 * recent.theme.u

        RowLayout {
            Layout.fillWidth: true
            Text {
                objectName: "recentTicketHeader"
                text: qsTr("Ticket")
                color: recent.theme.muted
                font.pixelSize: 28 * recent.theme.u
                horizontalAlignment: Text.AlignLeft
                Layout.fillWidth: true
                Layout.preferredWidth: 1
            }
            Text {
                objectName: "recentCounterHeader"
                text: qsTr("Counter")
                color: recent.theme.muted
                font.pixelSize: 28 * recent.theme.u
                horizontalAlignment: Text.AlignLeft
                Layout.fillWidth: true
                Layout.preferredWidth: 1
            }
        }
        Rectangle { color: recent.theme.line; Layout.fillWidth: true; Layout.preferredHeight: 2 * recent.theme.u }

        Repeater {
            objectName: "recentRepeater"
            model: vm.recentCalls
            delegate: RowLayout {
                id: row
                required property var modelData
                required property int index
                objectName: "recentCall_" + index
                Layout.fillWidth: true
                Text {
                    objectName: "recentNumber_" + row.index
                    text: row.modelData.number
                    color: recent.theme.text
                    font.pixelSize: 50 * recent.theme.u
                    font.bold: true
                    horizontalAlignment: Text.AlignLeft
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                }
                Text {
                    objectName: "recentCounter_" + row.index
                    text: row.modelData.counter
                    color: recent.theme.text
                    font.pixelSize: 40 * recent.theme.u
                    elide: Text.ElideRight
                    horizontalAlignment: Text.AlignLeft
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                }
            }
        }
        Item { Layout.fillHeight: true }
    }
}
