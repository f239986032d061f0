import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The technician's PIN: an on-screen pad (digits left to right, like a phone's, in every language), or a keyboard
// (the field has the focus as soon as the screen opens).
ColumnLayout {
    id: pinScreen
    property var theme
    spacing: 16
    Component.onCompleted: pinField.forceActiveFocus()

    Text {
        objectName: "techPinTitle"
        text: qsTr("Technician PIN")
        color: theme.text
        font.pixelSize: 36
        font.bold: true
        Layout.alignment: Qt.AlignHCenter
    }
    TextField {
        id: pinField
        objectName: "techPinField"
        echoMode: TextInput.Password
        inputMethodHints: Qt.ImhDigitsOnly
        validator: RegularExpressionValidator { regularExpression: /[0-9]{0,12}/ }
        enabled: !tech.locked
        font.pixelSize: 36
        horizontalAlignment: TextInput.AlignHCenter
        color: theme.text
        background: Rectangle { color: theme.surface; border.color: theme.accent; border.width: 2; radius: 8 }
        Layout.alignment: Qt.AlignHCenter
        Layout.preferredWidth: Math.min(pinScreen.width, theme.touch * 7)
        Layout.preferredHeight: theme.touch
        onAccepted: tech.submitPin(text)
    }
    Text {
        objectName: "techPinError"
        visible: text.length > 0
        text: tech.pinError
        color: theme.warning
        font.pixelSize: 26
        font.bold: true
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
    }
    GridLayout {
        id: pad
        property bool auditFixedDirection: true
        LayoutMirroring.enabled: false
        LayoutMirroring.childrenInherit: true
        columns: 3
        columnSpacing: 12
        rowSpacing: 12
        enabled: !tech.locked
        Layout.alignment: Qt.AlignHCenter
        Layout.preferredWidth: Math.min(pinScreen.width, theme.touch * 7)
        Repeater {
            model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
            delegate: BigButton {
                required property string modelData
                theme: pinScreen.theme
                objectName: modelData === "⌫" ? "techPinErase" : modelData === "OK" ? "techPinOk" : "techPin_" + modelData
                text: modelData === "OK" ? qsTr("OK") : modelData
                primary: modelData === "OK"
                textScale: 1.0  // the technician's panel keeps one size: large text is for customers
                Layout.fillWidth: true
                Layout.minimumWidth: theme.touch * 1.8
                Layout.preferredHeight: theme.touch * 1.4
                Accessible.name: modelData === "⌫" ? qsTr("Erase") : text
                onClicked: {
                    if (modelData === "OK") tech.submitPin(pinField.text)
                    else if (modelData === "⌫") pinField.remove(pinField.length - 1, pinField.length)
                    else pinField.insert(pinField.length, modelData)
                    pinField.forceActiveFocus()
                }
            }
        }
    }
    Item { Layout.fillHeight: true }
    BigButton {
        theme: pinScreen.theme
        textScale: 1.0
        objectName: "techPinCancel"
        text: qsTr("Cancel")
        Layout.alignment: Qt.AlignLeft
        onClicked: tech.closePanel()
    }
}
