// Per service: people waiting and the estimated wait, or that the service is closed or has no counter open.
// As many rows as fit at the legible size. Dimmed while the data may be out of date.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: panel
    objectName: "servicesPanel"
    required property QtObject theme
    color: theme.panel
    radius: 16 * theme.u
    clip: true

    readonly property int gap: theme.s.margin
    // a service takes two lines: its name, then who waits and for how long
    readonly property real rowHeight: theme.s.secondary * 1.45 + theme.s.small * 1.45
    readonly property int rowsFit: Math.max(0, Math.floor((list.height + gap) / (rowHeight + gap)))
    implicitHeight: heightFor(wanted)
    readonly property real oneRow: heightFor(Math.min(1, wanted))
    function heightFor(rows) { return theme.s.small * 1.5 + rows * (rowHeight + gap) + theme.s.margin * 6 + 2 }
    readonly property int wanted: vm.services.length
    readonly property int pages: rowsFit > 0 ? Math.ceil(wanted / rowsFit) : 1
    property int page: 0

    Timer {  // more services than rows: show them a page at a time, none left out
        objectName: "servicesPager"
        interval: 6000
        repeat: true
        running: panel.visible && panel.pages > 1
        onTriggered: panel.page = (panel.page + 1) % panel.pages
        onRunningChanged: panel.page = 0
    }

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: panel.theme.s.margin * 2
        spacing: panel.gap
        opacity: vm.stale ? 0.45 : 1.0

        RowLayout {
            Layout.fillWidth: true
            Layout.preferredHeight: panel.theme.s.small * 1.5
            Layout.minimumHeight: panel.theme.s.small * 1.5
            Layout.maximumHeight: panel.theme.s.small * 1.5  // a taller script must not grow it
            Text {
                objectName: "servicesTitle"
                text: qsTr("Waiting")
                color: panel.theme.muted
                font.pixelSize: panel.theme.s.small
                horizontalAlignment: Text.AlignLeft
                Layout.fillWidth: true
            }
            Text {
                objectName: "servicesPage"
                visible: panel.pages > 1
                text: (panel.page + 1) + " / " + panel.pages
                color: panel.theme.muted
                font.pixelSize: panel.theme.s.small
            }
        }
        Rectangle { color: panel.theme.line; Layout.fillWidth: true; Layout.preferredHeight: 2 * panel.theme.u }

        Item {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            Column {
                anchors.fill: parent
                spacing: panel.gap
                Repeater {
                    objectName: "servicesRepeater"
                    model: vm.services.slice(panel.page * panel.rowsFit, (panel.page + 1) * panel.rowsFit)
                    delegate: Item {
                        id: service
                        required property var modelData
                        objectName: "service_" + modelData.id
                        width: list.width
                        height: panel.rowHeight
                        Rectangle {
                            id: chip
                            color: service.modelData.open ? panel.theme.accent : panel.theme.line
                            radius: 8 * panel.theme.u
                            width: panel.theme.s.secondary * 1.1
                            height: width
                            anchors.left: parent.left
                            anchors.top: parent.top
                            anchors.topMargin: (panel.theme.s.secondary * 1.45 - height) / 2
                            Text {
                                anchors.centerIn: parent
                                text: service.modelData.prefix
                                color: service.modelData.open ? panel.theme.accentText : panel.theme.muted
                                font.pixelSize: panel.theme.s.small
                                font.bold: true
                            }
                        }
                        FitText {
                            objectName: "serviceName_" + service.modelData.id
                            anchors.left: chip.right
                            anchors.leftMargin: panel.gap
                            anchors.right: parent.right
                            anchors.top: parent.top
                            height: panel.theme.s.secondary * 1.45
                            text: service.modelData.name
                            color: service.modelData.open ? panel.theme.text : panel.theme.muted
                            size: panel.theme.s.secondary
                            floor: panel.theme.s.floor
                            verticalAlignment: Text.AlignVCenter
                            horizontalAlignment: Text.AlignLeft
                        }
                        FitText {
                            objectName: "serviceWaiting_" + service.modelData.id
                            anchors.left: chip.right
                            anchors.leftMargin: panel.gap
                            anchors.right: parent.right
                            anchors.bottom: parent.bottom
                            height: panel.theme.s.small * 1.45
                            verticalAlignment: Text.AlignVCenter
                            text: service.modelData.detail
                            color: service.modelData.open ? panel.theme.text : panel.theme.warning
                            size: panel.theme.s.small
                            floor: panel.theme.s.floor
                            horizontalAlignment: Text.AlignLeft
                        }
                    }
                }
            }
        }
    }
}
