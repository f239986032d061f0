import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// Agent code + PIN (or a finger on the reader), at this keypad's counter.
Item {
    id: view
    RowLayout {
        anchors.fill: parent
        anchors.margins: 16
        spacing: 16

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 3
            spacing: 10

            Text {
                text: vm.counterName
                color: theme.text
                font.pixelSize: 30
                font.bold: true
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignLeft
            }
            Text {
                text: qsTr("Log in to open the counter")
                color: theme.muted
                font.pixelSize: 18
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignLeft
            }
            Text { text: qsTr("Agent code"); color: theme.muted; font.pixelSize: 15; Layout.topMargin: 6 }
            Rectangle {
                objectName: "agent_field"
                Layout.fillWidth: true
                Layout.preferredHeight: 48
                radius: theme.radius
                color: theme.panel
                border.color: vm.loginField === "agent" ? theme.accent : theme.panelLight
                border.width: 2
                Text {
                    anchors.fill: parent
                    anchors.margins: 12
                    text: vm.agentInput
                    color: theme.text
                    font.pixelSize: 22
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignLeft
                }
                TapHandler { onTapped: vm.setLoginField("agent") }
            }
            Flow {
                Layout.fillWidth: true
                spacing: 8
                visible: vm.recentAgents.length > 0
                Repeater {
                    model: vm.recentAgents
                    KeyButton {
                        objectName: "recent_" + modelData
                        text: modelData
                        size: 15
                        height: 36
                        width: 110
                        onActivated: vm.selectAgent(modelData)
                    }
                }
            }
            Text { text: qsTr("PIN"); color: theme.muted; font.pixelSize: 15 }
            Rectangle {
                objectName: "pin_field"
                Layout.fillWidth: true
                Layout.preferredHeight: 48
                radius: theme.radius
                color: theme.panel
                border.color: vm.loginField === "pin" ? theme.accent : theme.panelLight
                border.width: 2
                Text {
                    anchors.fill: parent
                    anchors.margins: 12
                    text: vm.pinMask
                    color: theme.text
                    font.pixelSize: 22
                    font.letterSpacing: 6
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignLeft
                }
                TapHandler { onTapped: vm.setLoginField("pin") }
            }
            RowLayout {
                Layout.fillWidth: true
                visible: vm.fingerprintEnabled
                spacing: 10
                Text {
                    text: "☝ " + vm.fingerprintText
                    color: theme.muted
                    font.pixelSize: 16
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignLeft
                    wrapMode: Text.WordWrap
                }
                KeyButton {
                    objectName: "fingerprint_simulate"
                    visible: vm.fingerprintSimulated
                    text: qsTr("Simulated finger")
                    size: 13
                    Layout.preferredHeight: 34
                    Layout.preferredWidth: 150
                    onActivated: vm.simulateFinger()
                }
            }
            Item { Layout.fillHeight: true }
            RowLayout {
                spacing: 8
                Repeater {
                    model: vm.languageList
                    KeyButton {
                        objectName: "lang_" + modelData
                        text: modelData === "ar" ? "عربي" : modelData.toUpperCase()
                        size: 14
                        tone: vm.lang === modelData ? theme.accent : theme.panelLight
                        Layout.preferredWidth: 70
                        Layout.preferredHeight: 36
                        onActivated: vm.setLanguage(modelData)
                    }
                }
                Item { Layout.fillWidth: true }
                KeyButton {
                    act: "toggle_bar"
                    text: qsTr("Bar mode")
                    size: 14
                    Layout.preferredHeight: 36
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
