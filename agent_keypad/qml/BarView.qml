import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// The compact always-on-top bar: current ticket, who waits, the main actions.
Rectangle {
    id: bar
    color: !vm.isOnline ? Qt.darker(theme.danger, 1.6) : vm.alertActive ? theme.danger : theme.background
    RowLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 8
        Text {
            text: vm.counterName
            color: theme.muted
            font.pixelSize: 15
            fontSizeMode: Text.HorizontalFit
            minimumPixelSize: 10
            Layout.preferredWidth: 90
        }
        Text {
            objectName: "bar_number"
            text: vm.screen === "login" ? qsTr("Log in") : vm.hasCurrent ? vm.currentNumber : "—"
            color: theme.text
            font.pixelSize: vm.screen === "login" ? 18 : 30
            font.bold: true
            Layout.minimumWidth: 110
            Layout.preferredWidth: implicitWidth
        }
        Text {
            text: !vm.isOnline ? vm.offlineText : vm.paused ? vm.pausedText : vm.hasCurrent ? vm.currentStatusText + " · " + vm.shownText : vm.waitingText
            color: theme.text
            font.pixelSize: 14
            Layout.fillWidth: true
            Layout.preferredWidth: 1
            Layout.fillHeight: true
            fontSizeMode: Text.Fit
            minimumPixelSize: 9
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
        }
        KeyButton { visible: vm.screen === "counter"; act: "call_next"; text: qsTr("Next"); tone: theme.accent; size: 13; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 76 }
        KeyButton { visible: vm.screen === "counter"; act: "recall"; text: qsTr("Recall"); size: 13; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 76 }
        KeyButton { visible: vm.screen === "counter"; act: "start"; text: qsTr("Start"); size: 13; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 76 }
        KeyButton { visible: vm.screen === "counter"; act: "finish"; text: qsTr("Finish"); size: 13; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 76 }
        KeyButton { visible: vm.screen === "counter"; act: "menu"; text: "⋯"; size: 18; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.preferredWidth: 48 }
        KeyButton { objectName: "bar_expand"; act: "toggle_bar"; text: "⤢"; size: 18; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.preferredWidth: 48 }
    }
}
