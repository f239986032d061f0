// Portrait board: header, the call, recent calls, waits, media, message line — top to bottom.
import QtQuick
import QtQuick.Layouts

Item {
    id: portrait
    objectName: "portraitLayout"

    Theme { id: look; u: Math.min(portrait.width, portrait.height) / 1080 }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Header { theme: look; Layout.fillWidth: true; Layout.preferredHeight: 130 * look.u }

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.margins: 24 * look.u
            spacing: 24 * look.u

            NowCalling { theme: look; Layout.fillWidth: true; Layout.preferredHeight: 520 * look.u }
            RecentCalls { theme: look; Layout.fillWidth: true; Layout.preferredHeight: 560 * look.u }
            ServicesPanel {
                theme: look
                visible: vm.showServices
                Layout.fillWidth: true
                Layout.fillHeight: true
            }
            MediaPanel {
                theme: look
                visible: vm.hasMedia
                Layout.fillWidth: true
                Layout.preferredHeight: 420 * look.u
            }
        }

        MessageLine {
            theme: look
            visible: vm.messageText !== ""
            Layout.fillWidth: true
            Layout.preferredHeight: 80 * look.u
        }
    }
}
