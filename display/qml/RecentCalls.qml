// The previous calls, newest first, in two sections: still at the counters, and done. Ticket → the counter's name
// (in the language shown) at the same size, no header row (its height goes to the calls); as many rows as fit at
// the legible size — the same in every language. A counter's name too long for one line takes two, as a service's
// does, and its rows are two lines high in every language of the board (display.viewmodel fits them).
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: recent
    objectName: "recentCalls"
    required property QtObject theme
    color: theme.panel
    radius: 16 * theme.u
    clip: true

    readonly property int gap: theme.s.margin
    // the panel's height around its list: what the layout adds to vm.recentNeed to show every standing call
    readonly property real chrome: theme.s.margin * 4
    readonly property real wanted: chrome + vm.recentNeed

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: recent.theme.s.margin * 2
        spacing: recent.gap

        Item {
            id: list
            Layout.fillWidth: true
            Layout.fillHeight: true
            onHeightChanged: vm.setRecentSpace(height)  // the view-model picks the rows that fit
            // a row: the ticket number's column, the arrow, then the counter's name in what is left
            readonly property real numberWidth: Math.min(width * 0.45, vm.numberEm * recent.theme.s.secondary + 2)
            readonly property real arrowWidth: recent.theme.s.secondary * 1.2
            readonly property real counterWidth: width - numberWidth - arrowWidth
            onCounterWidthChanged: vm.setCounterWidth(Math.floor(counterWidth))
            Component.onCompleted: vm.setCounterWidth(Math.floor(counterWidth))
            Column {
                anchors.fill: parent
                spacing: recent.gap
                Repeater {
                    objectName: "recentRepeater"
                    model: vm.recentRows
                    delegate: Item {
                        id: row
                        required property var modelData
                        required property int index
                        objectName: modelData.heading ? "recentHeading_" + index : "recentCall_" + index
                        width: list.width
                        height: modelData.heading !== "" ? vm.headingHeight : modelData.height
                        Rectangle {  // between two calls, in the middle of the gap above this one
                            visible: row.modelData.rule === true
                            width: parent.width
                            height: Math.max(1, 2 * recent.theme.u)
                            y: -(recent.gap + height) / 2
                            color: recent.theme.line
                        }
                        Text {  // "1 / 2": more calls stand at counters than the list holds; pages turn
                            id: pageText
                            objectName: "recentPage_" + row.index
                            visible: row.modelData.heading !== "" && (row.modelData.page || "") !== ""
                            text: row.modelData.page || ""
                            anchors.right: parent.right
                            anchors.verticalCenter: parent.verticalCenter
                            color: recent.theme.dataMuted
                            font.pixelSize: recent.theme.s.small
                        }
                        FitText {  // a section heading: at the counters / done
                            visible: row.modelData.heading !== ""
                            objectName: "recentSection_" + row.index
                            anchors.left: parent.left
                            anchors.top: parent.top
                            anchors.bottom: parent.bottom
                            anchors.right: pageText.visible ? pageText.left : parent.right
                            anchors.rightMargin: pageText.visible ? recent.gap : 0
                            text: row.modelData.heading
                            color: row.modelData.serving ? recent.theme.dataServing : recent.theme.dataMuted
                            size: recent.theme.s.small
                            floor: recent.theme.s.floor
                            bold: true
                            horizontalAlignment: Text.AlignLeft
                        }
                        Item {  // ticket → counter's name (in the language shown, one line or two: the view-model fits it)
                            visible: row.modelData.heading === ""
                            anchors.fill: parent
                            FitText {  // centred in the row: it stays put whether the name takes one line or two
                                id: number
                                objectName: "recentNumber_" + row.index
                                anchors.left: parent.left
                                anchors.verticalCenter: parent.verticalCenter
                                width: list.numberWidth
                                height: recent.theme.s.row
                                text: row.modelData.number || ""
                                color: row.modelData.serving ? recent.theme.dataText : recent.theme.dataMuted
                                size: recent.theme.s.secondary
                                floor: recent.theme.s.floor
                                bold: true
                                horizontalAlignment: Text.AlignLeft
                            }
                            Text {
                                id: arrow
                                anchors.left: number.right
                                anchors.verticalCenter: parent.verticalCenter
                                width: list.arrowWidth
                                text: "→"
                                color: recent.theme.dataMuted
                                font.pixelSize: recent.theme.s.secondary * 0.8
                                horizontalAlignment: Text.AlignHCenter
                                rotation: vm.layoutRtl ? 180 : 0
                            }
                            Column {
                                anchors.left: arrow.right
                                anchors.right: parent.right
                                anchors.verticalCenter: parent.verticalCenter
                                Repeater {
                                    model: row.modelData.counterLines || []
                                    FitText {  // at the size the view-model fitted: no further shrinking
                                        required property string modelData
                                        required property int index
                                        objectName: "recentCounter_" + row.index + (index ? "_" + index : "")
                                        width: parent.width
                                        height: recent.theme.s.row
                                        text: modelData
                                        color: row.modelData.serving ? recent.theme.dataText : recent.theme.dataMuted
                                        size: row.modelData.counterPx
                                        floor: row.modelData.counterPx
                                        bold: true
                                        elide: Text.ElideRight  // only a name longer than COUNTER_LINES at the floor
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
}
