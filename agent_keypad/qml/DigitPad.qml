import QtQuick
import QtQuick.Layouts

// 0-9, erase and a confirm key: what a USB numeric keypad sends, for touch screens.
GridLayout {
    id: pad
    property string confirmText: qsTr("OK")
    property string confirmAct: "confirm"
    columns: 3
    rowSpacing: 6
    columnSpacing: 8
    LayoutMirroring.enabled: false  // digit pads keep their layout in Arabic too
    // keys keep 30 px (a fingertip on a 7" 800x480 panel): the cards above them give way first
    Repeater {
        model: ["7", "8", "9", "4", "5", "6", "1", "2", "3"]
        KeyButton {
            objectName: "pad_" + modelData
            text: modelData
            size: 24
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 30
            Layout.preferredWidth: 1
            onActivated: vm.typeText(modelData)
        }
    }
    KeyButton {
        objectName: "pad_clear"
        text: "⌫"
        size: 22
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: 30
        Layout.preferredWidth: 1
        onActivated: vm.press("clear")
    }
    KeyButton {
        objectName: "pad_0"
        text: "0"
        size: 24
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: 30
        Layout.preferredWidth: 1
        onActivated: vm.typeText("0")
    }
    KeyButton {
        objectName: "pad_confirm"
        text: pad.confirmText
        tone: theme.accent
        act: pad.confirmAct
        size: 18
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: 30
        Layout.preferredWidth: 1
    }
}
