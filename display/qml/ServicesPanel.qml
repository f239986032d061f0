// Per service: people waiting and the estimated wait. Dimmed while the data may be out of date.
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: panel
    objectName: "servicesPanel"
    required property QtObject theme
    color: theme.panel
    radius: 16 * theme.u
    clip: true
    implicitHeight: column.implicitHeight + 2 * column.anchors.margins

    ColumnLayout {
        id: column
        anchors.fill: parent
        anchors.margins: 20 * panel.theme.u
        spacing: 8 * panel.theme.u
        opacity: vm.stale ? 0.45 : 1.0

        Text {
            objectName: "servicesTitle"
            text: qsTr("Waiting")
            color: panel.theme.muted
            font.pixelSize: 26 * panel.theme.u
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignLeft
        }
        Rectangle { color: panel.theme.line; Layout.fillWidth: true; Layout.preferredHeight: 2 * panel.theme.u }

        Repeater {
            objectName: "servicesRepeater"
            model: vm.services
            delegate: RowLayout {
                id: service
                required property var modelData
                objectName: "service_" + modelData.id
                Layout.fillWidth: true
                spacing: 16 * panel.theme.u
                Rectangle {
                    color: panel.theme.accent
                    radius: 8 * panel.theme.u
                    Layout.preferredWidth: 56 * panel.theme.u
                    Layout.preferredHeight: 56 * panel.theme.u
                    Text {
                        anchors.centerIn: parent
                        text: service.modelData.prefix
                        color: panel.theme.accentText
                        font.pixelSize: 34 * panel.theme.u
                        font.bold: true
                    }
                }
                Text {
                    objectName: "serviceName_" + service.modelData.id
                    text: service.modelData.name
                    color: panel.theme.text
                    font.pixelSize: 32 * panel.theme.u
                    elide: Text.ElideRight
                    horizontalAlignment: Text.AlignLeft
                    Layout.fillWidth: true
                }
                Text {
                    objectName: "serviceWaiting_" + service.modelData.id
                    text: service.modelData.detail
                    color: panel.theme.muted
                    font.pixelSize: 26 * panel.theme.u
                    horizontalAlignment: Text.AlignRight
                }
            }
        }
        Item { Layout.fillHeight: true }
    }
}
