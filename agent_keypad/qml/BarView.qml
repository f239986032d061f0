import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// The compact always-on-top bar: current ticket, who waits, the main actions.
Rectangle {
    id: bar
    property int textMin: 15  // Main.qml: the least legible size on the bar's desktop monitor (theme.barText)
    color: !vm.isOnline ? Qt.darker(theme.danger, 1.6) : vm.alertActive ? theme.danger : theme.background
    RowLayout {
        anchors.fill: parent
        anchors.margins: 8
        spacing: 8
        Text {
            text: vm.counterName
            color: theme.muted
            font.pixelSize: bar.textMin
            fontSizeMode: Text.HorizontalFit
            minimumPixelSize: bar.textMin
            Layout.preferredWidth: 90
        }
        Text {
            objectName: "bar_number"
            text: vm.screen === "login" ? qsTr("Log in") : vm.hasCurrent ? vm.currentNumber : "—"
            color: theme.text
            font.pixelSize: vm.screen === "login" ? Math.max(18, bar.textMin) : 30
            font.bold: true
            Layout.minimumWidth: 110
            Layout.preferredWidth: implicitWidth
        }
        Text {
            text: !vm.isOnline ? vm.offlineText : vm.paused ? vm.pausedText : vm.hasCurrent ? vm.currentStatusText + " · " + vm.shownText : vm.waitingText
            color: theme.text
            font.pixelSize: bar.textMin
            // two lines in the bar's 48 px, Arabic too: Noto Sans Arabic's 2.1 em line box holds ~1.4 em of letters
            lineHeightMode: Text.FixedHeight
            lineHeight: Math.ceil(bar.textMin * 1.45)
            Layout.fillWidth: true
            Layout.preferredWidth: 1
            Layout.fillHeight: true
            verticalAlignment: Text.AlignVCenter
            wrapMode: Text.WordWrap
        }
        KeyButton { visible: vm.screen === "counter"; act: "call_next"; text: qsTr("Next"); tone: theme.accent; size: bar.textMin; minimumPixelSize: bar.textMin; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 96 }
        KeyButton { visible: vm.screen === "counter"; act: "recall"; text: qsTr("Recall"); size: bar.textMin; minimumPixelSize: bar.textMin; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 96 }
        KeyButton { visible: vm.screen === "counter"; act: "start"; text: qsTr("Start"); size: bar.textMin; minimumPixelSize: bar.textMin; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 96 }
        KeyButton { visible: vm.screen === "counter"; act: "finish"; text: qsTr("Finish"); size: bar.textMin; minimumPixelSize: bar.textMin; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.minimumWidth: 96 }
        KeyButton { visible: vm.screen === "counter"; act: "menu"; text: "⋯"; size: 18; minimumPixelSize: bar.textMin; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.preferredWidth: 48 }
        KeyButton { objectName: "bar_expand"; act: "toggle_bar"; text: "⤢"; size: 18; minimumPixelSize: bar.textMin; Layout.fillHeight: true; Layout.preferredHeight: 48; Layout.preferredWidth: 48 }
    }
}
