import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// The counter at work: the current ticket and who waits, the agent's day between customers, and the frequent
// actions as keys — the rare ones (transfer, park, return, bar mode, log out) in the menu. Two columns: the ticket
// and the action keys on one side, the typed number and the digit pad on the other. Every key is at least `touch`
// (12 mm) both ways and every text at least `textMin` (16 arcmin from 55 cm); the ticket card gives way first when a
// strip or a message takes room.
Item {
    id: view
    property real touch: 64
    property int textMin: 19
    RowLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 12

        ColumnLayout {  // who and where, the current ticket, the actions
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 8

            RowLayout {
                Layout.fillWidth: true
                Layout.fillHeight: false
                Layout.preferredHeight: Math.round(view.textMin * 2.3)  // an Arabic line: the same in every language
                spacing: 10
                Text {
                    objectName: "counter_agent"
                    text: vm.counterName + " · " + vm.agentName
                    color: theme.text
                    font.pixelSize: Math.round(view.textMin * 1.1)
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: view.textMin
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignLeft
                }
                Rectangle {
                    objectName: "paused_pill"
                    visible: vm.paused
                    radius: 6
                    color: theme.warn
                    Layout.preferredHeight: Math.round(view.textMin * 1.9)
                    Layout.preferredWidth: pausedLabel.implicitWidth + 20
                    Text {
                        id: pausedLabel
                        anchors.centerIn: parent
                        text: vm.pausedText
                        color: theme.warnText
                        font.pixelSize: view.textMin
                        font.bold: true
                    }
                }
            }

            Rectangle {  // the current ticket; between customers who waits and the agent's day
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
                        spacing: 12
                        Text {
                            objectName: "current_status"
                            text: vm.currentStatusText
                            color: vm.currentStatus === "serving" ? theme.ok : theme.warn
                            font.pixelSize: view.textMin
                            font.bold: true
                        }
                        Text {
                            objectName: "elapsed"
                            text: vm.elapsedText
                            color: theme.text
                            font.pixelSize: view.textMin
                            font.family: "Noto Sans"
                        }
                        Text {
                            objectName: "waiting_count"
                            text: vm.waitingText
                            color: theme.muted
                            font.pixelSize: view.textMin
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: view.textMin
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignRight
                        }
                    }
                    Text {
                        objectName: "current_number"
                        text: vm.currentNumber
                        color: theme.text
                        font.pixelSize: view.textMin * 4.4
                        font.bold: true
                        // a ticket number is Latin letters and digits: sized by Noto Sans's line (1.36 em), not by
                        // the Arabic fallback's 2.1 em line, which let Text.Fit push the glyphs out of the box
                        font.family: "Noto Sans"
                        fontSizeMode: Text.Fit
                        minimumPixelSize: Math.round(view.textMin * 1.3)
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
                            font.pixelSize: view.textMin
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: view.textMin
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignLeft
                        }
                        Text {
                            objectName: "shown"
                            text: vm.shownText
                            color: vm.shownOk ? theme.ok : theme.warn
                            font.pixelSize: view.textMin
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: view.textMin
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignRight
                        }
                    }
                }
                ColumnLayout {
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.margins: 12
                    spacing: 6
                    visible: !vm.hasCurrent
                    Text {
                        objectName: "no_current"
                        text: vm.paused ? vm.pausedText : qsTr("No customer at the counter")
                        color: theme.muted
                        font.pixelSize: Math.round(view.textMin * 1.15)
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: view.textMin
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignHCenter
                    }
                    Rectangle {
                        id: waitingCard
                        objectName: "waiting_card"
                        Layout.alignment: Qt.AlignHCenter
                        Layout.preferredWidth: Math.min(parent.width, waitingLabel.implicitWidth + 24)
                        Layout.preferredHeight: waitingLabel.implicitHeight + 8
                        radius: theme.radius
                        color: !vm.alertActive ? theme.panel : blinkOn ? theme.danger : theme.dangerDim
                        Text {
                            id: waitingLabel
                            anchors.left: parent.left
                            anchors.right: parent.right
                            anchors.verticalCenter: parent.verticalCenter
                            anchors.leftMargin: 12
                            anchors.rightMargin: 12
                            horizontalAlignment: Text.AlignHCenter
                            text: vm.alertActive ? qsTr("A customer is waiting: call next") : vm.waitingText
                            color: theme.text
                            font.pixelSize: view.textMin
                            font.bold: vm.alertActive
                            wrapMode: Text.WordWrap
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
                    Text {
                        objectName: "figures"
                        text: vm.figuresText
                        color: theme.muted
                        font.pixelSize: view.textMin
                        wrapMode: Text.WordWrap
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignHCenter
                    }
                }
            }

            GridLayout {  // the frequent actions, "Next" biggest; the others in the menu
                id: actions
                readonly property real rowHeight: view.touch * 1.15
                readonly property real nextWidth: Math.round(view.touch * 1.6)  // "Suivant" at 1.2 × textMin
                Layout.fillWidth: true
                Layout.fillHeight: false
                Layout.preferredHeight: 2 * rowHeight + rowSpacing
                Layout.minimumHeight: 2 * view.touch + rowSpacing
                columns: 4
                rowSpacing: 8
                columnSpacing: 8
                KeyButton { act: "call_next"; text: qsTr("Next"); tone: theme.accent; size: Math.round(view.textMin * 1.2); minimumPixelSize: view.textMin; Layout.rowSpan: 2; Layout.fillHeight: true; Layout.preferredWidth: actions.nextWidth; Layout.minimumWidth: view.touch }
                KeyButton { act: "recall"; text: qsTr("Recall"); size: view.textMin; minimumPixelSize: view.textMin; Layout.fillHeight: true; Layout.fillWidth: true; Layout.preferredWidth: view.touch * 2; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch }
                KeyButton { act: "start"; text: qsTr("Start"); size: view.textMin; minimumPixelSize: view.textMin; Layout.fillHeight: true; Layout.fillWidth: true; Layout.preferredWidth: view.touch * 2; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch }
                KeyButton { act: "finish"; text: qsTr("Finish"); size: view.textMin; minimumPixelSize: view.textMin; Layout.fillHeight: true; Layout.fillWidth: true; Layout.preferredWidth: view.touch * 2; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch }
                KeyButton { act: "no_show"; text: qsTr("No-show"); size: view.textMin; minimumPixelSize: view.textMin; Layout.fillHeight: true; Layout.fillWidth: true; Layout.preferredWidth: view.touch * 2; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch }
                KeyButton { act: "pause_toggle"; text: vm.paused ? qsTr("Resume") : qsTr("Pause"); tone: vm.paused ? theme.warn : theme.panelLight; toneText: vm.paused ? theme.warnText : theme.text; size: view.textMin; minimumPixelSize: view.textMin; Layout.fillHeight: true; Layout.fillWidth: true; Layout.preferredWidth: view.touch * 2; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch }
                KeyButton { act: "menu"; text: qsTr("Menu"); size: view.textMin; minimumPixelSize: view.textMin; Layout.fillHeight: true; Layout.fillWidth: true; Layout.preferredWidth: view.touch * 2; Layout.minimumWidth: view.touch; Layout.minimumHeight: view.touch }
            }
        }

        ColumnLayout {  // the typed ticket number, and the digits to type it
            Layout.fillHeight: true
            Layout.fillWidth: false
            Layout.preferredWidth: Math.round(view.touch * 4)
            spacing: 6
            RowLayout {
                Layout.fillWidth: true
                Layout.fillHeight: false
                spacing: 6
                Rectangle {
                    objectName: "entry_field"
                    Layout.fillWidth: true
                    Layout.preferredHeight: view.touch
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
                        font.pixelSize: view.textMin
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: view.textMin
                    }
                }
                KeyButton {
                    objectName: "pad_clear"
                    text: "⌫"
                    size: Math.round(view.textMin * 1.4)
                    minimumPixelSize: view.textMin
                    Layout.preferredWidth: view.touch
                    Layout.preferredHeight: view.touch
                    onActivated: vm.press("clear")
                }
            }
            DigitPad {
                Layout.fillWidth: true
                Layout.fillHeight: true
                touch: view.touch
                textMin: view.textMin
                confirmText: qsTr("Call")
                confirmAct: "call_number"
            }
        }
    }
}
