// The calls being made: every call of the last minute or so, several at once, newest first and highlighted.
// Ticket number and counter at the same size. Without a recent call it says what is true (last call, welcome,
// or that the link is lost and these calls may be out of date).
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: now
    objectName: "nowCalling"
    required property QtObject theme
    color: theme.panel
    radius: 16 * theme.u
    border.color: vm.callingState === "stale" ? theme.warning : theme.accent
    border.width: 4 * theme.u

    readonly property int inner: theme.s.margin * 2
    readonly property real rowsHeight: Math.max(1, rows.height)
    readonly property int count: Math.max(1, vm.callingRows.length)
    readonly property real rowHeight: rowsHeight / count
    // a call's font size per pixel of its row: Noto Sans's line (1.362 em) fills the row, no more
    readonly property real fill: 0.73
    readonly property real callPx: Math.floor(Math.min(rowHeight * fill, (width - 2 * inner) / vm.callWidthEm))
    // how many calls fit at the headline size (display.legibility): the others are listed "at the counters"
    readonly property int capacity: Math.max(1, Math.floor(rowsHeight / (theme.s.headline / fill)))
    onCapacityChanged: vm.setCallingCapacity(capacity)
    Component.onCompleted: vm.setCallingCapacity(capacity)

    Timer {
        id: blink
        objectName: "blinkTimer"
        property bool on: true
        interval: 500
        repeat: true
        running: vm.highlight
        onTriggered: on = !on
        onRunningChanged: on = true
    }

    Connections {
        target: vm
        function onCallSerialChanged() { pop.restart() }
    }

    SequentialAnimation {
        id: pop
        NumberAnimation { target: rows; property: "scale"; from: 0.85; to: 1.03; duration: 200; easing.type: Easing.OutBack }
        NumberAnimation { target: rows; property: "scale"; to: 1.0; duration: 120 }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: now.inner
        spacing: now.theme.s.margin

        Item {  // fixed height: a taller script must not move the rows; a plain box, so no size feedback
            Layout.fillWidth: true
            Layout.preferredHeight: now.theme.s.secondary * 1.5
            FitText {
                objectName: "nowCallingTitle"
                anchors.fill: parent
                text: vm.callingTitle
                color: vm.callingState === "stale" ? now.theme.warning : now.theme.text
                size: now.theme.s.secondary
                floor: now.theme.s.floor
                bold: true
                horizontalAlignment: Text.AlignHCenter
            }
        }
        Item {  // column headings over each half of the rows; a plain box: fitted texts must not size a layout
            objectName: "callingHeadings"
            visible: vm.hasCall
            Layout.fillWidth: true
            Layout.preferredHeight: now.theme.s.small * 1.5
            Layout.minimumHeight: now.theme.s.small * 1.5
            FitText {
                objectName: "callingTicketHeading"
                anchors.left: parent.left
                width: parent.width / 2
                height: parent.height
                text: qsTr("Ticket")
                color: now.theme.muted
                size: now.theme.s.small
                floor: now.theme.s.floor
                horizontalAlignment: Text.AlignHCenter
            }
            FitText {
                objectName: "callingCounterHeading"
                anchors.right: parent.right
                width: parent.width / 2
                height: parent.height
                text: qsTr("Counter")
                color: now.theme.muted
                size: now.theme.s.small
                floor: now.theme.s.floor
                horizontalAlignment: Text.AlignHCenter
            }
        }
        Item {
            id: rows
            objectName: "callingRows"
            Layout.fillWidth: true
            Layout.fillHeight: true
            Column {
                anchors.fill: parent
                visible: vm.hasCall
                Repeater {
                    objectName: "callingRepeater"
                    model: vm.callingRows
                    delegate: Rectangle {
                        id: row
                        required property var modelData
                        required property int index
                        objectName: "callingRow_" + index
                        width: rows.width
                        height: now.rowHeight
                        radius: 12 * now.theme.u
                        readonly property bool lit: modelData.newest && vm.highlight && blink.on
                        color: lit ? now.theme.accent : modelData.newest ? now.theme.panelLight : "transparent"
                        readonly property color ink: lit ? now.theme.accentText : now.theme.dataText
                        Row {  // number and counter each a line of the row's height (a counter's name may be Arabic)
                            anchors.centerIn: parent
                            height: parent.height
                            spacing: now.callPx * 0.3
                            FitText {
                                objectName: row.index === 0 ? "nowNumber" : "callNumber_" + row.index
                                width: naturalWidth + 2
                                height: parent.height
                                text: row.modelData.number
                                color: row.ink
                                size: now.callPx
                                floor: now.callPx
                                bold: true
                            }
                            Text {
                                text: "→"
                                color: row.ink
                                opacity: 0.7
                                font.pixelSize: now.callPx * 0.6
                                anchors.verticalCenter: parent.verticalCenter
                                LayoutMirroring.enabled: false
                                rotation: vm.layoutRtl ? 180 : 0
                            }
                            FitText {
                                objectName: row.index === 0 ? "nowCounter" : "callCounter_" + row.index
                                width: naturalWidth + 2
                                height: parent.height
                                text: row.modelData.counter
                                color: row.ink
                                size: now.callPx
                                floor: now.callPx
                                bold: true
                            }
                        }
                    }
                }
            }
            Text {
                objectName: "noCall"
                visible: !vm.hasCall
                anchors.centerIn: parent
                width: parent.width
                text: vm.callingState === "stale" ? qsTr("The board will show calls again once it is reconnected")
                                                   : qsTr("Your number will appear here when it is called")
                color: now.theme.text
                font.pixelSize: now.theme.s.secondary
                wrapMode: Text.WordWrap
                horizontalAlignment: Text.AlignHCenter
            }
        }
    }
}
