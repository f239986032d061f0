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
            RecentCalls { id: recent; theme: look; Layout.fillWidth: true; Layout.fillHeight: true }
            ServicesPanel {  // gives way to the calls standing at counters: shrinks, then steps aside
                id: services
                theme: look
                readonly property real room: portrait.bodyHeight * 0.52 - (vm.hasMedia ? portrait.bodyHeight * 0.2
                                             + look.s.margin * 2 : 0) - recent.wanted - look.s.margin * 4
                visible: vm.showServices && room >= oneRow
                Layout.fillWidth: true
                Layout.preferredHeight: Math.max(oneRow, Math.min(portrait.bodyHeight * 0.24, implicitHeight, room))
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
