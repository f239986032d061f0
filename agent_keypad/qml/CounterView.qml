import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// The counter at work: the current ticket, who waits, the agent's day, and every action.
Item {
    id: view
    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 8

        RowLayout {  // who and where
            Layout.fillWidth: true
            spacing: 12
            Text {
                text: vm.counterName + " · " + vm.agentName
                color: theme.text
                font.pixelSize: 20
                font.bold: true
            }
            Rectangle {
                visible: vm.paused
                radius: 6
                color: theme.warn
                Layout.preferredHeight: 28
                Layout.preferredWidth: pausedLabel.implicitWidth + 20
                Text { id: pausedLabel; anchors.centerIn: parent; text: vm.pausedText; color: "#1b1b1b"; font.pixelSize: 15; font.bold: true }
            }
            Item { Layout.fillWidth: true }
            Text {
                objectName: "figures"
                text: vm.figuresText
                color: theme.muted
                font.pixelSize: 15
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 12

            Rectangle {  // the current ticket
                objectName: "current_card"
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 3
                radius: theme.radius
                color: theme.panel
                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: 14
                    spacing: 4
                    visible: vm.hasCurrent
                    RowLayout {
                        Layout.fillWidth: true
                        Text {
                            text: vm.currentStatusText
                            color: vm.currentStatus === "serving" ? theme.ok : theme.warn
                            font.pixelSize: 18
                            font.bold: true
                        }
                        Item { Layout.fillWidth: true }
                        Text { text: vm.elapsedText; color: theme.text; font.pixelSize: 20; font.family: "Noto Sans" }
                    }
                    Text {
                        objectName: "current_number"
                        text: vm.currentNumber
                        color: theme.text
                        font.pixelSize: 84
                        font.bold: true
                        Layout.alignment: Qt.AlignHCenter
                    }
                    Text { text: vm.waitedText; color: theme.muted; font.pixelSize: 17; Layout.alignment: Qt.AlignHCenter }
                    Text {
                        objectName: "shown"
                        text: vm.shownText
                        color: vm.shownOk ? theme.ok : theme.warn
                        font.pixelSize: 16
                        Layout.alignment: Qt.AlignHCenter
                    }
                }
                Text {
                    visible: !vm.hasCurrent
                    anchors.centerIn: parent
                    text: vm.paused ? vm.pausedText : qsTr("No customer at the counter")
                    color: theme.muted
                    font.pixelSize: 22
                }
            }

            ColumnLayout {  // who waits, and a ticket number to call
                Layout.fillHeight: true
                Layout.fillWidth: true
                Layout.preferredWidth: 2
                spacing: 8
                Rectangle {
                    id: waitingCard
                    objectName: "waiting_card"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 44
                    Layout.minimumHeight: 28
                    radius: theme.radius
                    color: vm.alertActive ? theme.danger : theme.panel
                    Text {
                        anchors.centerIn: parent
                        width: parent.width - 16
                        horizontalAlignment: Text.AlignHCenter
                        text: vm.alertActive ? qsTr("A customer is waiting: call next") : vm.waitingText
                        color: theme.text
                        font.pixelSize: 17
                        font.bold: vm.alertActive
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: 11
                    }
                    SequentialAnimation on opacity {
                        running: vm.alertActive
                        loops: Animation.Infinite
                        alwaysRunToEnd: true
                        NumberAnimation { to: 0.55; duration: 500 }
                        NumberAnimation { to: 1.0; duration: 500 }
                    }
                }
                Rectangle {
                    objectName: "entry_field"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 36
                    Layout.minimumHeight: 28
                    radius: theme.radius
                    color: theme.panel
                    border.color: theme.panelLight
                    Text {
                        anchors.fill: parent
                        anchors.margins: 10
                        verticalAlignment: Text.AlignVCenter
                        horizontalAlignment: Text.AlignLeft
                        text: vm.entryText.length > 0 ? vm.entryText : qsTr("Ticket number")
                        color: vm.entryText.length > 0 ? theme.text : theme.muted
                        font.pixelSize: 18
                    }
                }
                DigitPad {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    confirmText: qsTr("Call")
                    confirmAct: "call_number"
                }
            }
        }

        GridLayout {  // every action, biggest first
            Layout.fillWidth: true
            Layout.preferredHeight: 112
            columns: 6
            rowSpacing: 8
            columnSpacing: 8
            KeyButton { act: "call_next"; text: qsTr("Next"); tone: theme.accent; size: 22; Layout.rowSpan: 2; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "recall"; size: 16; text: qsTr("Recall"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "start"; size: 16; text: qsTr("Start"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "finish"; size: 16; text: qsTr("Finish"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "no_show"; size: 16; text: qsTr("No-show"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "pause_toggle"; size: 16; text: vm.paused ? qsTr("Resume") : qsTr("Pause"); tone: vm.paused ? theme.warn : theme.panelLight; toneText: vm.paused ? "#1b1b1b" : theme.text; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "transfer"; text: qsTr("Transfer"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "park"; text: qsTr("Park"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "return_parked"; text: qsTr("Return"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "toggle_bar"; text: qsTr("Bar mode"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
            KeyButton { act: "logout"; text: qsTr("Log out"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1 }
        }
    }
}
