import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// Log in at this keypad's counter: tap your name (the agents allowed here) or type your agent number on the
// digits, then your PIN — or put a finger on the reader. A touch pad has digits only: ids may be letters.
// Two columns: the names (one a row, each whole at the least legible size) beside the agent/PIN fields over the
// digit pad; the languages and the bar mode are in the menu (top corner). Every key is at least `touch` (12 mm)
// both ways and every text at least `textMin`; the list of names scrolls by whole rows when it does not fit.
Item {
    id: view
    property real touch: 64
    property int textMin: 19
    // a name's key: two lines of the least size when a name is long, never under the touch target
    readonly property real nameHeight: Math.max(touch, Math.ceil(textMin * 2.8 + 12))
    RowLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 12

        ColumnLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 6

            RowLayout {
                Layout.fillWidth: true
                Layout.fillHeight: false
                spacing: 8
                Text {
                    objectName: "login_title"
                    text: vm.counterName + " · " + qsTr("Log in to open the counter")
                    color: theme.text
                    font.pixelSize: view.textMin
                    font.bold: true
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignLeft
                }
                KeyButton {  // the languages and the bar mode (vm.press("menu") before login)
                    act: "menu"
                    text: qsTr("Menu")
                    size: view.textMin
                    minimumPixelSize: view.textMin
                    Layout.preferredHeight: view.touch
                    Layout.preferredWidth: Math.round(view.touch * 1.6)
                }
            }
            Text {
                objectName: "login_hint"
                text: qsTr("Tap your name, or type your agent number")
                color: theme.muted
                font.pixelSize: view.textMin
                wrapMode: Text.WordWrap
                Layout.fillWidth: true
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
                    cellWidth: width
                    cellHeight: view.nameHeight + 6
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
                            height: view.nameHeight
                            text: modelData.number ? modelData.name + " · " + modelData.number : modelData.name
                            size: view.textMin
                            minimumPixelSize: view.textMin
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
                    font.pixelSize: view.textMin
                    wrapMode: Text.WordWrap
                    Layout.fillWidth: true
                    horizontalAlignment: Text.AlignLeft
                }
                KeyButton {
                    objectName: "fingerprint_simulate"
                    visible: vm.fingerprintSimulated
                    text: qsTr("Simulated finger")
                    size: view.textMin
                    minimumPixelSize: view.textMin
                    Layout.preferredHeight: view.touch
                    Layout.preferredWidth: Math.round(view.touch * 2.6)
                    onActivated: vm.simulateFinger()
                }
            }
        }

        ColumnLayout {  // what is typed, and the digits to type it
            Layout.fillWidth: false
            Layout.fillHeight: true
            // the fields hold "Numéro d'agent" and "Code PIN" at the least size beside the erase key
            Layout.preferredWidth: Math.round(view.touch * 5.45)
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
                        font.pixelSize: view.textMin
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: view.textMin
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
                        font.pixelSize: view.textMin
                        font.letterSpacing: vm.pinMask !== "" ? 4 : 0
                        fontSizeMode: Text.HorizontalFit
                        minimumPixelSize: view.textMin
                        horizontalAlignment: Text.AlignLeft
                    }
                    TapHandler { onTapped: vm.setLoginField("pin") }
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
                Layout.fillHeight: true
                Layout.fillWidth: true
                touch: view.touch
                textMin: view.textMin
                confirmText: vm.loginField === "agent" ? qsTr("Next") : qsTr("Log in")
            }
        }
    }
}
