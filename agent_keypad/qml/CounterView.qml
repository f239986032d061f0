import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// The counter at work: the current ticket, who waits, the agent's day, and every action. Two columns: the
// ticket and the actions on one side, who waits, the typed number and the digit pad on the other. Every key is
// at least `touch` (12 mm) both ways; the ticket card gives way first when a strip or a message takes room.
Item {
    id: view
    property real touch: 64
    RowLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 12

        ColumnLayout {  // who and where, the current ticket, every action
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 34
            spacing: 8

            RowLayout {
                Layout.fillWidth: true
                Layout.fillHeight: false
                Layout.preferredHeight: 44  // an Arabic line at 20 px: the same height in every language
                spacing: 10
                Text {
                    objectName: "counter_agent"
                    text: vm.counterName + " · " + vm.agentName
                    color: theme.text
                    font.pixelSize: 20
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 12
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.preferredWidth: 3
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignLeft
                }
                Rectangle {
                    objectName: "paused_pill"
                    visible: vm.paused
                    radius: 6
                    color: theme.warn
                    Layout.preferredHeight: 36
                    Layout.preferredWidth: Math.min(pausedLabel.implicitWidth + 20, 200)
                    Text {
                        id: pausedLabel
                        anchors.left: parent.left
                        anchors.right: parent.right
                        anchors.verticalCenter: parent.verticalCenter
                        anchors.leftMargin: 10
                        anchors.rightMargin: 10
                        text: vm.pausedText
                        color: theme.warnText
                        font.pixelSize: 15
                        font.bold: true
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: 10
                        horizontalAlignment: Text.AlignHCenter
                    }
                }
                Text {
                    objectName: "figures"
                    text: vm.figuresText
                    color: theme.muted
                    font.pixelSize: 15
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 10
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.preferredWidth: 2
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignRight
                }
            }

            Rectangle {  // the current ticket
                objectName: "current_card"
                Layout.fillWidth: true
                Layout.fillHeight: true
                radius: theme.radius
                color: theme.panel
                ColumnLayout {
                    anchors.fill: parent
                    anchors.margins: 10
                    spacing: 2
                    visible: vm.hasCurrent
                    RowLayout {
                        Layout.fillWidth: true
                        Layout.fillHeight: false
                        Text {
                            objectName: "current_status"
                            text: vm.currentStatusText
                            color: vm.currentStatus === "serving" ? theme.ok : theme.warn
                            font.pixelSize: 18
                            font.bold: true
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: 11
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignLeft
                        }
                        Text { text: vm.elapsedText; color: theme.text; font.pixelSize: 20; font.family: "Noto Sans" }
                    }
                    Text {
                        objectName: "current_number"
                        text: vm.currentNumber
                        color: theme.text
                        font.pixelSize: 84
                        font.bold: true
                        // a ticket number is Latin letters and digits: sized by Noto Sans's line (1.36 em), not by
                        // the Arabic fallback's 2.1 em line, which let Text.Fit push the glyphs out of the box
                        font.family: "Noto Sans"
                        fontSizeMode: Text.Fit
                        minimumPixelSize: 24
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Layout.fillHeight: false
                        spacing: 10
                        Text {
                            objectName: "waited"
                            text: vm.waitedText
                            color: theme.muted
                            font.pixelSize: 16
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: 10
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignLeft
                        }
                        Text {
                            objectName: "shown"
                            text: vm.shownText
                            color: vm.shownOk ? theme.ok : theme.warn
                            font.pixelSize: 16
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: 10
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignRight
                        }
                    }
                }
                Text {
                    objectName: "no_current"
                    visible: !vm.hasCurrent
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.margins: 12
                    text: vm.paused ? vm.pausedText : qsTr("No customer at the counter")
                    color: theme.muted
                    font.pixelSize: 22
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 12
                    horizontalAlignment: Text.AlignHCenter
                }
            }

            GridLayout {  // every action, "Next" biggest
                id: actions
                readonly property real rowHeight: Math.max(view.touch, view.touch * 1.15)
                Layout.fillWidth: true
                Layout.fillHeight: false
                Layout.preferredHeight: 2 * rowHeight + rowSpacing
                Layout.minimumHeight: 2 * view.touch + rowSpacing
                columns: 6
                rowSpacing: 8
                columnSpacing: 8
                KeyButton { act: "call_next"; text: qsTr("Next"); tone: theme.accent; size: 24; Layout.rowSpan: 2; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch }
                KeyButton { act: "recall"; size: 16; text: qsTr("Recall"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "start"; size: 16; text: qsTr("Start"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "finish"; size: 16; text: qsTr("Finish"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "no_show"; size: 16; text: qsTr("No-show"); Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "pause_toggle"; size: 16; text: vm.paused ? qsTr("Resume") : qsTr("Pause"); tone: vm.paused ? theme.warn : theme.panelLight; toneText: vm.paused ? theme.warnText : theme.text; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "transfer"; text: qsTr("Transfer"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "park"; text: qsTr("Park"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "return_parked"; text: qsTr("Return"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "toggle_bar"; text: qsTr("Bar mode"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
                KeyButton { act: "logout"; text: qsTr("Log out"); size: 16; Layout.fillWidth: true; Layout.fillHeight: true; Layout.preferredWidth: 1; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch; Layout.preferredHeight: view.touch }
            }
        }

        ColumnLayout {  // who waits, the typed ticket number, the digits to type it
            Layout.fillHeight: true
            Layout.fillWidth: true
            Layout.preferredWidth: 14
            spacing: 6
            Rectangle {
                id: waitingCard
                objectName: "waiting_card"
                Layout.fillWidth: true
                Layout.preferredHeight: 44
                radius: theme.radius
                color: !vm.alertActive ? theme.panel : blinkOn ? theme.danger : theme.dangerDim
                Text {
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 8
                    anchors.rightMargin: 8
                    horizontalAlignment: Text.AlignHCenter
                    text: vm.alertActive ? qsTr("A customer is waiting: call next") : vm.waitingText
                    color: theme.text
                    font.pixelSize: 17
                    font.bold: vm.alertActive
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 11
                }
                // blinks between two reds, both under white text at >= 4.5:1 (fading it would lose the contrast)
                property bool blinkOn: true
                Timer {
                    interval: 500
                    repeat: true
                    running: vm.alertActive
                    onRunningChanged: waitingCard.blinkOn = true
                    onTriggered: waitingCard.blinkOn = !waitingCard.blinkOn
                }
            }
            Rectangle {
                objectName: "entry_field"
                Layout.fillWidth: true
                Layout.preferredHeight: 44
                radius: theme.radius
                color: theme.panel
                border.color: theme.panelLight
                Text {
                    objectName: "entry_text"
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 10
                    anchors.rightMargin: 10
                    horizontalAlignment: Text.AlignLeft
                    text: vm.entryText.length > 0 ? vm.entryText : qsTr("Ticket number")
                    color: vm.entryText.length > 0 ? theme.text : theme.muted
                    font.pixelSize: 18
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 11
                }
            }
            DigitPad {
                Layout.fillWidth: true
                Layout.fillHeight: true
                touch: view.touch
                confirmText: qsTr("Call")
                confirmAct: "call_number"
            }
        }
    }
}
