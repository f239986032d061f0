import QtQuick
import QtQuick.Layouts

// 0-9 and a confirm key two keys wide (its word — "Connexion", "تسجيل الدخول" — at the least legible size needs
// the room): what a USB numeric keypad sends, for touch screens. The erase key (pad_clear) sits beside the field
// it erases, as on a phone (LoginView.qml, CounterView.qml).
GridLayout {
    id: pad
    property string confirmText: qsTr("OK")
    property string confirmAct: "confirm"
    property real touch: 64  // the touch target in pixels (Main.qml): no key smaller, the pad grows from there
    property int textMin: 19  // the least legible font size (Main.qml)
    // Digit pads keep 7-8-9 / 1-2-3 left to right in Arabic too, like Arabic phone and ATM pads: not mirrored,
    // and the layout audit compares it unmirrored.
    property bool auditFixedDirection: true
    columns: 3
    rowSpacing: 6
    columnSpacing: 8
    LayoutMirroring.enabled: false
    LayoutMirroring.childrenInherit: true
    Repeater {
        model: ["7", "8", "9", "4", "5", "6", "1", "2", "3", "0"]
        KeyButton {
            objectName: "pad_" + modelData
            text: modelData
            size: Math.round(pad.textMin * 1.5)
            minimumPixelSize: pad.textMin
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: pad.touch
            Layout.minimumWidth: pad.touch
            Layout.preferredWidth: pad.touch
            Layout.preferredHeight: pad.touch  // equal rows whatever the labels
            onActivated: vm.typeText(modelData)
        }
    }
    KeyButton {
        objectName: "pad_confirm"
        text: pad.confirmText
        tone: theme.accent
        act: pad.confirmAct
        size: Math.round(pad.textMin * 1.1)
        minimumPixelSize: pad.textMin
        Layout.columnSpan: 2
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.minimumHeight: pad.touch
        Layout.minimumWidth: pad.touch
        Layout.preferredWidth: 2 * pad.touch + pad.columnSpacing
        Layout.preferredHeight: pad.touch
    }
}
