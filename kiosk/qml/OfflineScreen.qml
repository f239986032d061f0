import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// The node cannot be reached: please wait (services are polled until it answers).
ColumnLayout {
    property var theme
    spacing: 24
    Item { Layout.fillHeight: true }
    BusyIndicator { running: true; Layout.alignment: Qt.AlignHCenter; implicitWidth: 96; implicitHeight: 96 }
    Text {
        objectName: "offlineText"
        text: qsTr("Please wait a moment: the ticket service is reconnecting.")
        color: theme.text
        font.pixelSize: 40 * theme.scale
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
    }
    Text {
        objectName: "offlineHint"
        text: qsTr("If this lasts, please ask a member of staff.")
        color: theme.muted
        font.pixelSize: 30 * theme.scale
        Layout.fillWidth: true
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.WordWrap
    }
    Item { Layout.fillHeight: true }
}
