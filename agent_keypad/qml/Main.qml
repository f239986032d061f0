import QtQuick
import QtQuick.Layouts
import QtQuick.Window

// The keypad window: login or counter view (or the compact bar), the link banner, messages, pickers.
Window {
    id: root
    width: 800
    height: 480
    visible: true
    color: theme.background
    title: qsTr("Agent keypad") + " · " + vm.counterName


    Item {
        anchors.fill: parent
        LayoutMirroring.enabled: vm.rtl
        LayoutMirroring.childrenInherit: true

        ColumnLayout {
            anchors.fill: parent
            spacing: 0
            visible: !vm.barMode
            Rectangle {
                objectName: "offline_banner"
                visible: !vm.isOnline
                color: theme.danger
                Layout.fillWidth: true
                Layout.preferredHeight: 40
                Text {
                    anchors.fill: parent
                    anchors.margins: 8
                    text: vm.offlineText
                    color: "white"
                    font.pixelSize: 16
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 10
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignHCenter
                }
            }
            Rectangle {  // staff only: devices that need someone (never shown on the public display)
                objectName: "staff_strip"
                visible: vm.staffAlertSummary !== ""
                color: vm.staffAlertsUrgent ? theme.warn : theme.panelLight
                Layout.fillWidth: true
                Layout.preferredHeight: 28
                Text {
                    objectName: "staff_alert"
                    anchors.fill: parent
                    anchors.leftMargin: 10
                    anchors.rightMargin: 10
                    text: "⚠ " + vm.staffAlertSummary
                    color: vm.staffAlertsUrgent ? "#1b1b1b" : theme.text
                    font.pixelSize: 14
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 10
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignLeft
                }
                TapHandler { onTapped: vm.showAlerts() }
            }
            Loader {
                Layout.fillWidth: true
                Layout.fillHeight: true
                sourceComponent: vm.screen === "login" ? loginView : counterView
            }
            Rectangle {
                objectName: "message_bar"
                visible: vm.messageText.length > 0
                color: vm.messageIsError ? Qt.darker(theme.danger, 1.5) : theme.panelLight
                Layout.fillWidth: true
                Layout.preferredHeight: 30
                Text {
                    anchors.fill: parent
                    anchors.margins: 8
                    objectName: "message_text"
                    text: vm.messageText
                    color: theme.text
                    font.pixelSize: 15
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 10
                    verticalAlignment: Text.AlignVCenter
                    horizontalAlignment: Text.AlignLeft
                }
                TapHandler { onTapped: vm.press("cancel") }
            }
        }
        BarView {
            anchors.fill: parent
            visible: vm.barMode && !vm.pickerOpen
        }
        PickerOverlay {
            anchors.fill: parent
            visible: vm.pickerOpen
        }
    }

    Component { id: loginView; LoginView {} }
    Component { id: counterView; CounterView {} }
}
