import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// Log in at this keypad's counter: tap your name (the agents allowed here) or type your agent number on the
// digits, then your PIN — or put a finger on the reader. A touch pad has digits only: ids may be letters.
Item {
    id: view
    RowLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 12

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 3
            spacing: 6

            Text {
                objectName: "login_title"
                text: vm.counterName + " · " + qsTr("Log in to open the counter")
                color: theme.text
                font.pixelSize: 20
                font.bold: true
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: 12
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignLeft
            }
            Text {
                text: qsTr("Tap your name, or type your agent number")
                color: theme.muted
                font.pixelSize: 14
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: 10
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignLeft
            }
            GridLayout {  // the agents allowed at this counter, those who logged in here recently first
                objectName: "login_agents"
                columns: 2
                rowSpacing: 6
                columnSpacing: 6
                Layout.fillWidth: true
                Repeater {
                    model: vm.loginAgents.slice(0, 6)
                    KeyButton {
                        objectName: "agent_" + modelData.id
                        text: modelData.number ? modelData.name + " · " + modelData.number : modelData.name
                        size: 15
                        tone: vm.agentInput === modelData.name ? theme.accent : theme.panelLight
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        Layout.preferredHeight: 40
                        onActivated: vm.selectAgent(modelData.id)
                    }
                }
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: 8
                Rectangle {
                    objectName: "agent_field"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 3
                    Layout.preferredHeight: 44
                    radius: theme.radius
                    color: theme.panel
                    border.color: vm.loginField === "agent" ? theme.accent : theme.panelLight
                    border.width: 2
                    Text {
                        anchors.fill: parent
                        anchors.margins: 8
                        text: vm.agentInput !== "" ? vm.agentInput : qsTr("Agent number")
                        color: vm.agentInput !== "" ? theme.text : theme.muted
                        font.pixelSize: 18
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: 11
                        verticalAlignment: Text.AlignVCenter
                        horizontalAlignment: Text.AlignLeft
                    }
                    TapHandler { onTapped: vm.setLoginField("agent") }
                }
                Rectangle {
                    objectName: "pin_field"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 2
                    Layout.preferredHeight: 44
                    radius: theme.radius
                    color: theme.panel
                    border.color: vm.loginField === "pin" ? theme.accent : theme.panelLight
                    border.width: 2
                    Text {
                        anchors.fill: parent
                        anchors.margins: 8
                        text: vm.pinMask !== "" ? vm.pinMask : qsTr("PIN")
                        color: vm.pinMask !== "" ? theme.text : theme.muted
                        font.pixelSize: 18
                        font.letterSpacing: vm.pinMask !== "" ? 4 : 0
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: 11
                        verticalAlignment: Text.AlignVCenter
                        horizontalAlignment: Text.AlignLeft
                    }
                    TapHandler { onTapped: vm.setLoginField("pin") }
                }
            }
            RowLayout {
                Layout.fillWidth: true
                visible: vm.fingerprintEnabled
                spacing: 8
                Text {
                    objectName: "fingerprint_state"
                    text: "☝ " + vm.fingerprintText
                    color: theme.muted
                    font.pixelSize: 14
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 10
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignLeft
                }
                KeyButton {
                    objectName: "fingerprint_simulate"
                    visible: vm.fingerprintSimulated
                    text: qsTr("Simulated finger")
                    size: 13
                    Layout.preferredHeight: 32
                    Layout.preferredWidth: 140
                    onActivated: vm.simulateFinger()
                }
            }
            Item { Layout.fillHeight: true }
            RowLayout {
                spacing: 8
                Layout.fillWidth: true
                Repeater {
                    model: vm.languageList
                    KeyButton {
                        objectName: "lang_" + modelData
                        text: modelData === "ar" ? "عربي" : modelData.toUpperCase()
                        size: 14
                        tone: vm.lang === modelData ? theme.accent : theme.panelLight
                        Layout.preferredWidth: 64
                        Layout.preferredHeight: 34
                        onActivated: vm.setLanguage(modelData)
                    }
                }
                Item { Layout.fillWidth: true }
                KeyButton {
                    act: "toggle_bar"
                    text: qsTr("Bar mode")
                    size: 14
                    Layout.preferredHeight: 34
                    Layout.preferredWidth: 120
                }
            }
        }
        DigitPad {
            Layout.fillHeight: true
            Layout.fillWidth: true
            Layout.preferredWidth: 2
            confirmText: vm.loginField === "agent" ? qsTr("Next") : qsTr("Log in")
        }
    }
}
