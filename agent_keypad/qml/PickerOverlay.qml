import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// A choice (outcome, pause reason, transfer target, position, parked ticket, menu): tap it or press its digit.
Rectangle {
    id: overlay
    objectName: "picker_overlay"
    color: "#cc08111b"
    MouseArea { anchors.fill: parent }  // modal: nothing behind reacts
    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 24, 560)
        height: Math.min(parent.height - 24, column.implicitHeight + 32)
        radius: theme.radius
        color: theme.panel
        ColumnLayout {
            id: column
            anchors.fill: parent
            anchors.margins: 16
            spacing: 8
            Text {
                objectName: "picker_title"
                text: vm.pickerTitle
                color: theme.text
                font.pixelSize: 20
                font.bold: true
            }
            GridLayout {
                columns: vm.pickerOptions.length > 5 ? 2 : 1
                rowSpacing: 6
                columnSpacing: 6
                Layout.fillWidth: true
                Repeater {
                    model: vm.pickerOptions
                    KeyButton {
                        objectName: "option_" + modelData.key
                        text: (modelData.hint ? modelData.hint + "   " : "") + modelData.label
                        size: 16
                        Layout.fillWidth: true
                        Layout.preferredHeight: 42
                        Layout.preferredWidth: 1
                        onActivated: vm.choose(modelData.key)
                    }
                }
            }
            KeyButton {
                objectName: "picker_cancel"
                act: "cancel"
                text: qsTr("Cancel")
                size: 15
                Layout.fillWidth: true
                Layout.preferredHeight: 40
            }
        }
    }
}
