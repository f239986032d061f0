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
    readonly property real pxPerMm: Math.hypot(width, height) / (theme.diagonalInches * 25.4)
    // the touch target in pixels: theme.touchMm (12 mm, a staff device) on the configured screen diagonal
    readonly property real touch: Math.ceil(theme.touchMm * pxPerMm)
    // the least font size: a cap height of theme.minCapMm (16 arcmin from 55 cm) in the font's own cap/em; on the
    // desktop monitor of the bar, theme.barText. Every text and key label is at least this (agent_keypad/theme.py)
    readonly property int textMin: vm.barMode ? theme.barText : Math.ceil(theme.minCapMm * pxPerMm / theme.capRatio)

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
                Layout.preferredHeight: Math.max(root.textMin * 2, offlineLabel.implicitHeight + 6)
                Text {
                    id: offlineLabel
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 8
                    anchors.rightMargin: 8
                    text: vm.offlineText
                    color: theme.text
                    font.pixelSize: root.textMin
                    font.bold: true
                    wrapMode: Text.WordWrap
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
                    font.pixelSize: root.textMin
                    font.bold: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: root.textMin
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
                Layout.preferredHeight: Math.max(Math.round(root.textMin * 1.9), messageLabel.implicitHeight)
                Text {
                    id: messageLabel
                    objectName: "message_text"
                    anchors.left: parent.left
                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    anchors.leftMargin: 10
                    anchors.rightMargin: 10
                    text: vm.messageText
                    color: theme.text
                    font.pixelSize: root.textMin
                    wrapMode: Text.WordWrap  // a long message takes two lines rather than shrinking
                    horizontalAlignment: Text.AlignLeft
                }
            }
        }
        BarView {
            anchors.fill: parent
            textMin: root.textMin
            visible: vm.barMode && !vm.pickerOpen
        }
        PickerOverlay {
            anchors.fill: parent
            visible: vm.pickerOpen
            touch: vm.barMode ? 44 : root.touch  // the bar sits on a desktop monitor, not the 7" pad
            textMin: root.textMin
        }
    }

    Component { id: loginView; LoginView { touch: root.touch; textMin: root.textMin } }
    Component { id: counterView; CounterView { touch: root.touch; textMin: root.textMin } }
}
