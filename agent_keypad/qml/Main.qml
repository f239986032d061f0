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
    // the touch target in pixels: theme.touchMm (12 mm, a staff device) on the configured screen diagonal
    readonly property real touch: Math.ceil(theme.touchMm * Math.hypot(width, height) / (theme.diagonalInches * 25.4))

    Item {
        anchors.fill: parent
        LayoutMirroring.enabled: vm.rtl
        LayoutMirroring.childrenInherit: true

        ColumnLayout {
            anchors.fill: parent
            spacing: 0
            visible: !vm.barMode && !vm.pickerOpen  // under a picker: only the picker (nothing behind it reacts)
            Rectangle {
                objectName: "offline_banner"
                visible: !vm.isOnline
                color: theme.danger
                Layout.fillWidth: true
                Layout.preferredHeight: 40
                Text {
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 8
                    anchors.rightMargin: 8
                    text: vm.offlineText
                    color: theme.text
                    font.pixelSize: 16
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 10
                    horizontalAlignment: Text.AlignHCenter
                }
            }
            Rectangle {  // staff only: devices that need someone (never shown on the public display); tap: the list
                objectName: "staff_strip"
                visible: vm.staffAlertSummary !== ""
                color: vm.staffAlertsUrgent ? theme.warn : theme.panelLight
                Layout.fillWidth: true
                Layout.preferredHeight: root.touch
                Text {
                    objectName: "staff_alert"
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 12
                    anchors.rightMargin: 12
                    text: "⚠ " + vm.staffAlertSummary
                    color: vm.staffAlertsUrgent ? theme.warnText : theme.text
                    font.pixelSize: 17
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 11
                    horizontalAlignment: Text.AlignLeft
                }
                TapHandler { onTapped: vm.showAlerts() }
            }
            Loader {
                Layout.fillWidth: true
                Layout.fillHeight: true
                sourceComponent: vm.screen === "login" ? loginView : counterView
            }
            Rectangle {  // what the last press did; the next press or the cancel key replaces it (not a button)
                objectName: "message_bar"
                visible: vm.messageText.length > 0
                color: vm.messageIsError ? Qt.darker(theme.danger, 1.5) : theme.panelLight
                Layout.fillWidth: true
                Layout.preferredHeight: 36
                Text {
                    objectName: "message_text"
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 10
                    anchors.rightMargin: 10
                    text: vm.messageText
                    color: theme.text
                    font.pixelSize: 15
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 10
                    horizontalAlignment: Text.AlignLeft
                }
            }
        }
        BarView {
            anchors.fill: parent
            visible: vm.barMode && !vm.pickerOpen
        }
        PickerOverlay {
            anchors.fill: parent
            visible: vm.pickerOpen
            touch: vm.barMode ? 44 : root.touch  // the bar sits on a desktop monitor, not the 7" pad
        }
    }

    Component { id: loginView; LoginView { touch: root.touch } }
    Component { id: counterView; CounterView { touch: root.touch } }
}
