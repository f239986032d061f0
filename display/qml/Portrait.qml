// Portrait board: header, the calls (the top half of the height), previous calls, waits, media, message line.
import QtQuick
import QtQuick.Layouts

Item {
    id: portrait
    objectName: "portraitLayout"

    Theme { id: look; u: Math.min(portrait.width, portrait.height) / 1080 }
    readonly property real bodyHeight: height - look.s.header - (vm.messageText !== "" ? look.s.row : 0)
                                       - look.s.margin * 4

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Header { theme: look; Layout.fillWidth: true; Layout.preferredHeight: look.s.header }

        ColumnLayout {
            id: body
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.margins: look.s.margin * 2
            spacing: look.s.margin * 2

            NowCalling { theme: look; Layout.fillWidth: true; Layout.preferredHeight: portrait.bodyHeight * 0.48 }
            RecentCalls { theme: look; Layout.fillWidth: true; Layout.fillHeight: true }
            ServicesPanel {
                id: services
                theme: look
                visible: vm.showServices
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(oneRow, Math.min(portrait.bodyHeight * 0.24, implicitHeight))
            }
            MediaPanel {
                theme: look
                visible: vm.hasMedia
                Layout.fillWidth: true
                Layout.preferredHeight: portrait.bodyHeight * 0.2
            }
        }

        MessageLine {
            theme: look
            visible: vm.messageText !== ""
            Layout.fillWidth: true
            Layout.preferredHeight: look.s.row
        }
    }
}
