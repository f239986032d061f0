import QtQuick
import QtQuick.Layouts

// 0-9, erase and a confirm key: what a USB numeric keypad sends, for touch screens.
GridLayout {
    id: pad
    property string confirmText: qsTr("OK")
    property string confirmAct: "confirm"
    property real touch: 64  // the touch target in pixels (Main.qml): no key smaller, the pad grows from there
    // Digit pads keep 7-8-9 / 1-2-3 left to right in Arabic too, like Arabic phone and ATM pads: not mirrored,
    // and the layout audit compares it unmirrored.
    property bool auditFixedDirection: true
    columns: 3
    rowSpacing: 6
    columnSpacing: 8
    LayoutMirroring.enabled: false
    LayoutMirroring.childrenInherit: true
    Repeater {
        model: ["7", "8", "9", "4", "5", "6", "1", "2", "3"]
        KeyButton {
            objectName: "pad_" + modelData
            text: modelData
            size: 28
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: pad.touch
            Layout.minimumWidth: pad.touch
            Layout.preferredWidth: pad.touch
            Layout.preferredHeight: pad.touch  // equal rows whatever the labels (Arabic wraps "Log in")
            onActivated: vm.typeText(modelData)
        }
    }
    KeyButton {
        objectName: "pad_clear"
        text: "⌫"
        size: 26
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: pad.touch
        Layout.minimumWidth: pad.touch
        Layout.preferredWidth: pad.touch
        Layout.preferredHeight: pad.touch
        onActivated: vm.press("clear")
    }
    KeyButton {
        objectName: "pad_0"
        text: "0"
        size: 28
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: pad.touch
        Layout.minimumWidth: pad.touch
        Layout.preferredWidth: pad.touch
        Layout.preferredHeight: pad.touch
        onActivated: vm.typeText("0")
    }
    KeyButton {
        objectName: "pad_confirm"
        text: pad.confirmText
        tone: theme.accent
        act: pad.confirmAct
        size: 20
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: pad.touch
        Layout.minimumWidth: pad.touch
        Layout.preferredWidth: pad.touch
        Layout.preferredHeight: pad.touch
    }
}
