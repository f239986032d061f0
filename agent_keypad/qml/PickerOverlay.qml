import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// A choice (outcome, pause reason, transfer target, position, parked ticket, menu, staff alerts): tap it or
// press its digit. Options are `touch` tall; as many columns as it takes to show them all, up to three, then the
// list scrolls by whole rows.
Rectangle {
    id: overlay
    objectName: "picker_overlay"
    property real touch: 64
    property int textMin: 19  // the least legible font size (Main.qml)
    color: "#f208111b"
    MouseArea {  // modal: nothing behind reacts (the screen behind is hidden too, Main.qml)
        objectName: "picker_backdrop"
        property bool auditBackdrop: true
        anchors.fill: parent
    }
    Rectangle {
        id: panel
        readonly property int count: vm.pickerOptions.length
        readonly property real cell: overlay.touch + 6
        // room for the options: the panel's height less its padding, the title and the cancel key
        readonly property int fitRows: Math.max(1, Math.floor((overlay.height - 24 - 32 - title.height - 8
                                                                - overlay.touch - 8 + 6) / cell))
        readonly property int columns: Math.min(3, Math.max(1, Math.ceil(count / fitRows)))
        readonly property int rows: Math.ceil(count / columns)
        anchors.centerIn: parent
        // grows with the least font size, so the words have the same room at every resolution of the same screen
        width: Math.min(parent.width - 24, (columns === 1 ? 560 : columns === 2 ? 720 : 960)
                                           * Math.max(1, overlay.textMin / 19))
        height: Math.min(parent.height - 24, column.implicitHeight + 32)
        radius: theme.radius
        color: theme.panel
        ColumnLayout {
            id: column
            anchors.fill: parent
            anchors.margins: 16
            spacing: 8
            Text {
                id: title
                objectName: "picker_title"
                text: vm.pickerTitle
                color: theme.text
                font.pixelSize: Math.round(overlay.textMin * 1.1)
                font.bold: true
                fontSizeMode: Text.HorizontalFit
                minimumPixelSize: overlay.textMin
                height: Math.round(overlay.textMin * 2.3)  // an Arabic line: the same height in every language
                Layout.fillWidth: true
                Layout.preferredHeight: height
                verticalAlignment: Text.AlignVCenter
                horizontalAlignment: Text.AlignLeft
            }
            GridView {
                id: options
                objectName: "picker_options"
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(panel.rows, panel.fitRows) * panel.cell - 6  // whole rows only
                implicitHeight: Layout.preferredHeight
                clip: true
                cellWidth: Math.floor(width / panel.columns)
                cellHeight: panel.cell
                snapMode: GridView.SnapToRow
                boundsBehavior: Flickable.StopAtBounds
                interactive: contentHeight > height + 6  // the last row's cell has its spacing below
                model: vm.pickerOptions
                ScrollIndicator.vertical: ScrollIndicator { visible: options.interactive; active: true }  // more below: always shown
                delegate: Item {
                    width: options.cellWidth
                    height: options.cellHeight
                    KeyButton {
                        objectName: "option_" + modelData.key
                        x: 3
                        width: parent.width - 6
                        height: overlay.touch
                        text: (modelData.hint ? modelData.hint + "   " : "") + modelData.label
                        size: overlay.textMin
                        minimumPixelSize: overlay.textMin
                        onActivated: vm.choose(modelData.key)
                    }
                }
            }
            KeyButton {
                objectName: "picker_cancel"
                act: "cancel"
                text: qsTr("Cancel")
                size: overlay.textMin
                minimumPixelSize: overlay.textMin
                Layout.fillWidth: true
                Layout.preferredHeight: overlay.touch
            }
        }
    }
}
