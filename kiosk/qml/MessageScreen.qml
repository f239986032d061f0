import QtQuick
import QtQuick.Layouts

// One sentence for the customer (a refusal, a scan's answer) and OK.
ColumnLayout {
    id: message
    property var theme
    spacing: 32
    Item { Layout.fillHeight: true }
    Text {
        objectName: "messageText"
        text: vm.message
        color: theme.text
        font.pixelSize: 40 * theme.scale
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
    }
    BigButton {
        theme: message.theme
        objectName: "ok"
        primary: true
        text: qsTr("OK")
        Layout.alignment: Qt.AlignHCenter
        onClicked: vm.goHome()
    }
    Item { Layout.fillHeight: true }
}
