import QtQuick
import QtQuick.Layouts

// The technician's panel: node, device, printer, what happened lately, and the actions.
ColumnLayout {
    id: panel
    property var theme
    spacing: 12

    Text {
        objectName: "techTitle"
        text: qsTr("Technician")
        color: theme.text
        font.pixelSize: 36
        font.bold: true
    }
    Repeater {
        model: tech.status.lines || []
        delegate: Text {
            required property var modelData
            required property int index
            objectName: "techLine_" + index
            text: modelData
            color: theme.text
            font.pixelSize: 26
            Layout.fillWidth: true
            wrapMode: Text.Wrap
        }
    }
    Text {
        objectName: "techResult"
        visible: text.length > 0
        text: tech.status.result || ""
        color: theme.text
        font.pixelSize: 26
        font.bold: true
        Layout.fillWidth: true
        Layout.topMargin: 12
        wrapMode: Text.Wrap
    }
    Text {
        objectName: "techErrorsTitle"
        text: qsTr("Last errors")
        color: theme.text
        font.pixelSize: 28
        font.bold: true
        Layout.topMargin: 12
    }
    Text {
        objectName: "techNoErrors"
        visible: (tech.status.errors || []).length === 0
        text: qsTr("None")
        color: theme.muted
        font.pixelSize: 22
    }
    Repeater {
        model: tech.status.errors || []
        delegate: Text {
            required property var modelData
            text: modelData
            color: theme.muted
            font.pixelSize: 22
            Layout.fillWidth: true
            wrapMode: Text.Wrap
        }
    }
    Item { Layout.fillHeight: true }
    GridLayout {
        columns: panel.width > 1400 ? 4 : 2
        columnSpacing: 16
        rowSpacing: 16
        Layout.fillWidth: true
        Repeater {
            model: [
                {name: "techPrintTest", label: qsTr("Print test ticket")},
                {name: "techRefresh", label: qsTr("Refresh")},
                {name: "techReload", label: qsTr("Reload configuration")},
                {name: "techClose", label: qsTr("Close")}
            ]
            delegate: BigButton {
                required property var modelData
                theme: panel.theme
                objectName: modelData.name
                text: modelData.label
                primary: modelData.name === "techClose"
                textScale: 26 / 30  // the technician's panel keeps one size: large text is for customers
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                Layout.preferredHeight: panel.theme.touch * 1.5
                onClicked: modelData.name === "techPrintTest" ? tech.printTestTicket()
                         : modelData.name === "techRefresh" ? tech.refresh()
                         : modelData.name === "techReload" ? tech.reloadConfig()
                         : tech.closePanel()
            }
        }
    }
}
