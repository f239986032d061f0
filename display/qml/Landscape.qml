// Landscape board: header; the calls on the reading side (most of the width); media, previous calls and the
// waits on the other; the message line at the bottom. Sizes come from the view-model, never from the words.
import QtQuick
import QtQuick.Layouts

Item {
    id: landscape
    objectName: "landscapeLayout"

    Theme { id: look; u: Math.min(landscape.width, landscape.height) / 1080 }
    // the body's height, from fixed sizes only (a layout reading its own children's sizes would loop)
    readonly property real bodyHeight: height - look.s.header - (vm.messageText !== "" ? look.s.row : 0)
                                       - look.s.margin * 4

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        Header { theme: look; Layout.fillWidth: true; Layout.preferredHeight: look.s.header }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.margins: look.s.margin * 2
            spacing: look.s.margin * 2

            NowCalling {
                theme: look
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 56
            }
            ColumnLayout {
                Layout.fillHeight: true
                Layout.fillWidth: true
                Layout.preferredWidth: 44
                spacing: look.s.margin * 2
                MediaPanel {
                    theme: look
                    visible: vm.hasMedia
                    Layout.fillWidth: true
                    Layout.preferredHeight: landscape.bodyHeight * 0.3
                }
                RecentCalls { id: recent; theme: look; Layout.fillWidth: true; Layout.fillHeight: true }
                ServicesPanel {  // gives way to the calls standing at counters: shrinks, then steps aside
                    theme: look
                    readonly property real room: landscape.bodyHeight - (vm.hasMedia ? landscape.bodyHeight * 0.3
                                                 + look.s.margin * 2 : 0) - recent.wanted - look.s.margin * 2
                    visible: vm.showServices && room >= oneRow
                    Layout.fillWidth: true
                    Layout.preferredHeight: Math.max(oneRow, Math.min(landscape.bodyHeight * 0.42, implicitHeight,
                                                                      room))
                }
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
