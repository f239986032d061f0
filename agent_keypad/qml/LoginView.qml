import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// Log in at this keypad's counter: tap your name (the agents allowed here) or type your agent number on the
// digits, then your PIN — or put a finger on the reader. A touch pad has digits only: ids may be letters.
// Two columns: names, languages and the bar key on one side; the fields and the digit pad on the other. Every
// key is at least `touch` (12 mm) both ways; the list of names scrolls by whole rows when it does not fit.
Item {
    id: view
    property real touch: 64
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
                Layout.preferredHeight: 44  // an Arabic line at 20 px: the same height in every language
                verticalAlignment: Text.AlignVCenter
                horizontalAlignment: Text.AlignLeft
            }
            Text {
                objectName: "login_hint"
                text: qsTr("Tap your name, or type your agent number")
                color: theme.muted
                font.pixelSize: 14
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: 10
                Layout.fillWidth: true
                Layout.preferredHeight: 30
                verticalAlignment: Text.AlignVCenter
                horizontalAlignment: Text.AlignLeft
            }
            Item {  // the agents allowed at this counter, those who logged in here recently first
                id: listArea
                Layout.fillWidth: true
                Layout.fillHeight: true
                GridView {
                    id: agents
                    objectName: "login_agents"
                    readonly property int rows: Math.max(1, Math.floor((listArea.height + 6) / cellHeight))
                    width: parent.width
                    height: Math.min(parent.height, rows * cellHeight - 6)  // whole rows only: none half cut
                    clip: true
                    cellWidth: Math.floor(width / 2)
                    cellHeight: view.touch + 6
                    snapMode: GridView.SnapToRow
                    boundsBehavior: Flickable.StopAtBounds
                    interactive: contentHeight > height + 6  // the last row's cell has its spacing below
                    model: vm.loginAgents
                    ScrollIndicator.vertical: ScrollIndicator { visible: agents.interactive; active: true }  // more below: always shown
                    delegate: Item {
                        width: agents.cellWidth
                        height: agents.cellHeight
                        KeyButton {
                            objectName: "agent_" + modelData.id
                            x: 3
                        width: parent.width - 6
                            height: view.touch
                            text: modelData.number ? modelData.name + " · " + modelData.number : modelData.name
                            size: 17
                            tone: vm.agentInput === modelData.name ? theme.accent : theme.panelLight
                            onActivated: vm.selectAgent(modelData.id)
                        }
                    }
                }
            }
            RowLayout {
                Layout.fillWidth: true
                Layout.fillHeight: false
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
                    size: 14
                    Layout.preferredHeight: view.touch
                    Layout.preferredWidth: Math.max(view.touch, 150)
                    onActivated: vm.simulateFinger()
                }
            }
            RowLayout {
                spacing: 8
                Layout.fillWidth: true
                Layout.fillHeight: false
                Repeater {
                    model: vm.languageList
                    KeyButton {
                        objectName: "lang_" + modelData
                        text: modelData === "ar" ? "عربي" : modelData.toUpperCase()
                        size: 17
                        tone: vm.lang === modelData ? theme.accent : theme.panelLight
                        Layout.preferredWidth: Math.max(view.touch, 72)
                        Layout.preferredHeight: view.touch
                        onActivated: vm.setLanguage(modelData)
                    }
                }
                Item { Layout.fillWidth: true }
                KeyButton {
                    act: "toggle_bar"
                    text: qsTr("Bar mode")
                    size: 16
                    Layout.preferredHeight: view.touch
                    Layout.preferredWidth: Math.max(view.touch, 130)
                }
            }
        }

        ColumnLayout {  // what is typed, and the digits to type it
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredWidth: 2
            spacing: 6
            RowLayout {
                Layout.fillWidth: true
                Layout.fillHeight: false
                spacing: 6
                Rectangle {
                    objectName: "agent_field"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 300  // 3 : 2 with the PIN (preferred widths share the room)
                    Layout.minimumWidth: view.touch
                    Layout.preferredHeight: view.touch
                    radius: theme.radius
                    color: theme.panel
                    border.color: vm.loginField === "agent" ? theme.focus : theme.panelLight
                    border.width: vm.loginField === "agent" ? 3 : 2
                    Text {
                        anchors.left: parent.left
                        anchors.right: parent.right
                        anchors.verticalCenter: parent.verticalCenter
                        anchors.margins: 10
                        text: vm.agentInput !== "" ? vm.agentInput : qsTr("Agent number")
                        color: vm.agentInput !== "" ? theme.text : theme.muted
                        font.pixelSize: 18
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: 11
                        horizontalAlignment: Text.AlignLeft
                    }
                    TapHandler { onTapped: vm.setLoginField("agent") }
                }
                Rectangle {
                    objectName: "pin_field"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 200
                    Layout.minimumWidth: view.touch
                    Layout.preferredHeight: view.touch
                    radius: theme.radius
                    color: theme.panel
                    border.color: vm.loginField === "pin" ? theme.focus : theme.panelLight
                    border.width: vm.loginField === "pin" ? 3 : 2
                    Text {
                        anchors.left: parent.left
                        anchors.right: parent.right
                        anchors.verticalCenter: parent.verticalCenter
                        anchors.margins: 10
                        text: vm.pinMask !== "" ? vm.pinMask : qsTr("PIN")
                        color: vm.pinMask !== "" ? theme.text : theme.muted
                        font.pixelSize: 18
                        font.letterSpacing: vm.pinMask !== "" ? 4 : 0
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: 11
                        horizontalAlignment: Text.AlignLeft
                    }
                    TapHandler { onTapped: vm.setLoginField("pin") }
                }
            }
            DigitPad {
                Layout.fillHeight: true
                Layout.fillWidth: true
                touch: view.touch
                confirmText: vm.loginField === "agent" ? qsTr("Next") : qsTr("Log in")
            }
        }
    }
}
