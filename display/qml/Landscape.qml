// Landscape board: header; the call and the waits on the reading side; media and recent calls on the other;
// message line at the bottom.
import QtQuick
import QtQuick.Layouts

Item {
    id: landscape
    objectName: "landscapeLayout"

    Theme { id: look; u: Math.min(landscape.width, landscape.height) / 1080 }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Header { theme: look; Layout.fillWidth: true; Layout.preferredHeight: 130 * look.u }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.margins: 24 * look.u
            spacing: 24 * look.u

            ColumnLayout {
                Layout.fillHeight: true
                Layout.preferredWidth: 58
                Layout.fillWidth: true
                spacing: 24 * look.u
                NowCalling { theme: look; Layout.fillWidth: true; Layout.fillHeight: true }
                ServicesPanel {
                    theme: look
                    visible: vm.showServices
                    Layout.fillWidth: true
                    Layout.preferredHeight: implicitHeight
                    Layout.maximumHeight: 420 * look.u
                }
            }
            ColumnLayout {
                Layout.fillHeight: true
                Layout.preferredWidth: 42
                Layout.fillWidth: true
                spacing: 24 * look.u
                MediaPanel {
                    theme: look
                    visible: vm.hasMedia
                    Layout.fillWidth: true
                    Layout.preferredHeight: 400 * look.u
                }
                RecentCalls { theme: look; Layout.fillWidth: true; Layout.fillHeight: true }
            }
        }

        MessageLine {
            theme: look
            visible: vm.messageText !== ""
            Layout.fillWidth: true
            Layout.preferredHeight: 70 * look.u
        }
    }
}
