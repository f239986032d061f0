// Per service: people waiting and the estimated wait, or that the service is closed or has no counter open.
// As many rows as fit at the legible size. Dimmed (by colour) while the data may be out of date.
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
    // a service takes its name (one line, or two for a long name) then who waits and for how long (one line, or
    // two when that line is too long): the view-model fits the words to the width QML tells it
    readonly property real nameLine: theme.s.secondary * 1.45
    readonly property real detailLine: theme.s.small * 1.45
    function rowHeight(service) {
        return service.nameLines.length * nameLine + service.detailLines.length * detailLine
    }
    function heightFor(rows) {  // the panel showing the first `rows` services
        var h = 0
        for (var i = 0; i < rows; ++i) h += rowHeight(vm.services[i]) + gap
        return theme.s.small * 1.5 + h + theme.s.margin * 6 + 2
    }
    implicitHeight: heightFor(wanted)
    readonly property real oneRow: heightFor(Math.min(1, wanted))
    readonly property int wanted: vm.services.length
    // where each page starts: as many services as fit the list's height, at least one
    readonly property var starts: {
        var out = [0], used = 0
        for (var i = 0; i < vm.services.length; ++i) {
            var h = rowHeight(vm.services[i]) + gap
            if (used > 0 && used + h > list.height + gap) { out.push(i); used = 0 }
            used += h
        }
        return out
    }
    readonly property int pages: starts.length
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

        Item {  // title and page: a plain box, fitted texts must not size a layout (a binding loop)
            Layout.fillWidth: true
            Layout.preferredHeight: panel.theme.s.small * 1.5
            Layout.minimumHeight: panel.theme.s.small * 1.5
            FitText {
                objectName: "servicesTitle"
                anchors.left: parent.left
                anchors.right: servicesPage.visible ? servicesPage.left : parent.right
                anchors.rightMargin: servicesPage.visible ? panel.gap : 0
                height: parent.height
                text: qsTr("Waiting")
                color: panel.theme.dataMuted
                size: panel.theme.s.small
                floor: panel.theme.s.floor
                horizontalAlignment: Text.AlignLeft
            }
            FitText {
                id: servicesPage
                objectName: "servicesPage"
                visible: panel.pages > 1
                anchors.right: parent.right
                width: naturalWidth + 2
                height: parent.height
                text: (panel.page + 1) + " / " + panel.pages
                color: panel.theme.dataMuted
                size: panel.theme.s.small
                floor: panel.theme.s.small
            }
        }
        Rectangle { color: panel.theme.line; Layout.fillWidth: true; Layout.preferredHeight: 2 * panel.theme.u }

        Item {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            // a name sits beside its prefix chip, the waiting lines under both: the view-model fits the words
            readonly property real nameWidth: width - panel.theme.s.secondary * 1.1 - panel.gap
            onWidthChanged: vm.setServicesWidth(Math.floor(nameWidth), Math.floor(width))
            Component.onCompleted: vm.setServicesWidth(Math.floor(nameWidth), Math.floor(width))
            Column {
                anchors.fill: parent
                spacing: panel.gap
                Repeater {
                    objectName: "servicesRepeater"
                    model: vm.services.slice(panel.starts[Math.min(panel.page, panel.pages - 1)],
                                             panel.page + 1 < panel.pages ? panel.starts[panel.page + 1]
                                                                          : vm.services.length)
                    delegate: Item {
                        id: service
                        required property var modelData
                        objectName: "service_" + modelData.id
                        width: list.width
                        height: panel.rowHeight(modelData)
                        Rectangle {
                            id: chip
                            color: service.modelData.open ? panel.theme.chip : panel.theme.line
                            radius: 8 * panel.theme.u
                            width: panel.theme.s.secondary * 1.1
                            height: width
                            anchors.left: parent.left
                            anchors.top: parent.top
                            anchors.topMargin: (panel.nameLine - height) / 2
                            Text {
                                anchors.centerIn: parent
                                text: service.modelData.prefix
                                color: service.modelData.open ? panel.theme.chipText : panel.theme.dataMuted
                                font.pixelSize: panel.theme.s.small
                                font.bold: true
                            }
                        }
                        Column {
                            id: name
                            anchors.left: chip.right
                            anchors.leftMargin: panel.gap
                            anchors.right: parent.right
                            anchors.top: parent.top
                            Repeater {  // the name, on one or two lines (fitted by the view-model)
                                model: service.modelData.nameLines
                                FitText {  // at the size the view-model fitted: no further shrinking
                                    required property string modelData
                                    required property int index
                                    objectName: "serviceName_" + service.modelData.id + (index ? "_" + index : "")
                                    width: parent.width
                                    height: panel.nameLine
                                    text: modelData
                                    color: service.modelData.open ? panel.theme.dataText : panel.theme.dataMuted
                                    size: service.modelData.namePx
                                    floor: service.modelData.namePx
                                    elide: Text.ElideRight  // only a name longer than two lines at the floor
                                    horizontalAlignment: Text.AlignLeft
                                }
                            }
                        }
                        Column {
                            anchors.left: parent.left
                            anchors.right: parent.right
                            anchors.top: name.bottom
                            Repeater {  // who waits and for how long, on one line or two, under the chip too
                                model: service.modelData.detailLines
                                FitText {
                                    required property string modelData
                                    required property int index
                                    objectName: "serviceWaiting_" + service.modelData.id + (index ? "_" + index : "")
                                    width: parent.width
                                    height: panel.detailLine
                                    text: modelData
                                    color: service.modelData.open ? panel.theme.dataText : panel.theme.dataWarning
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
    }
}
