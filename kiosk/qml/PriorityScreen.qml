import QtQuick
import QtQuick.Layouts

// "Do you need priority service?": after a service (ask), or first, from the home screen's priority entry.
ColumnLayout {
    id: priority
    property var theme
    spacing: 20

    Text {
        objectName: "heading"
        text: vm.askingPriority ? qsTr("Do you need priority service?") : qsTr("Which priority applies to you?")
        color: theme.text
        font.pixelSize: 44 * theme.scale
        font.bold: true
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
    }
    Repeater {
        model: vm.categories
        delegate: BigButton {
            required property var modelData
            theme: priority.theme
            objectName: "priority_" + modelData.id
            text: modelData.name
            Layout.fillWidth: true
            onClicked: vm.choosePriority(modelData.id)
        }
    }
    BigButton {
        theme: priority.theme
        objectName: "priority_none"
        visible: vm.askingPriority
        primary: true
        text: qsTr("No, thank you")
        Layout.fillWidth: true
        onClicked: vm.choosePriority("")
    }
    Item { Layout.fillHeight: true }
    BigButton {
        theme: priority.theme
        objectName: "cancel"
        text: qsTr("Cancel")
        Layout.alignment: Qt.AlignLeft
        onClicked: vm.goHome()
    }
}
