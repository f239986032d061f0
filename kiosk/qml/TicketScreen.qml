import QtQuick
import QtQuick.Layouts
import SmartQueue.Kiosk

// The customer's number, what to expect, and the QR; two columns on a landscape screen.
GridLayout {
    id: ticket
    property var theme
    readonly property bool wide: width > height
    columns: wide ? 2 : 1
    columnSpacing: 48
    rowSpacing: 16

    ColumnLayout {  // the number and what to expect
        Layout.fillWidth: true
        Layout.alignment: Qt.AlignTop
        Layout.preferredWidth: 1
        spacing: 12
        Text {
            objectName: "yourNumber"
            text: qsTr("Your number")
            color: theme.muted
            font.pixelSize: 36 * theme.scale
            Layout.alignment: Qt.AlignHCenter
        }
        Text {
            objectName: "ticketNumber"
            text: vm.ticket.number || ""
            color: theme.accent
            font.pixelSize: (ticket.wide ? 140 : 160) * theme.scale
            font.bold: true
            fontSizeMode: Text.HorizontalFit
            minimumPixelSize: 60
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
        }
        Repeater {
            model: [
                {name: "ticketService", text: vm.ticket.service || "", size: 36, bold: true},
                {name: "ticketPriority", text: vm.ticket.priority || "", size: 30, bold: true},
                {name: "ticketAppointment", text: vm.ticket.appointment || "", size: 30, bold: true},
                {name: "ticketAhead", text: vm.ticket.ahead || "", size: 30, bold: false},
                {name: "ticketWait", text: vm.ticket.wait || "", size: 30, bold: false}
            ]
            delegate: Text {
                required property var modelData
                objectName: modelData.name
                visible: modelData.text.length > 0
                text: modelData.text
                color: theme.text
                font.pixelSize: modelData.size * theme.scale
                font.bold: modelData.bold
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
        }
    }

    ColumnLayout {  // whether it printed, the QR, and Done
        Layout.fillWidth: true
        Layout.fillHeight: true
        Layout.preferredWidth: 1
        spacing: 12
        Text {
            objectName: "ticketNote"
            text: vm.ticket.printing ? qsTr("Printing your ticket…") : (vm.ticket.note || "")
            color: vm.ticket.printed || vm.ticket.printing ? theme.text : theme.warning
            font.pixelSize: 30 * theme.scale
            font.bold: !vm.ticket.printed
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
        }
        QrCode {
            objectName: "ticketQr"
            visible: (vm.ticket.qr || "").length > 0
            payload: vm.ticket.qr || ""
            Layout.preferredWidth: ticket.wide ? 260 : 300
            Layout.preferredHeight: ticket.wide ? 260 : 300
            Layout.alignment: Qt.AlignHCenter
        }
        Text {
            objectName: "ticketQrLabel"
            visible: (vm.ticket.qrLabel || "").length > 0
            text: vm.ticket.qrLabel || ""
            color: theme.muted
            font.pixelSize: 24 * theme.scale
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
        }
        Item { Layout.fillHeight: true }
        BigButton {
            theme: ticket.theme
            objectName: "done"
            primary: true
            text: qsTr("Done")
            Layout.alignment: Qt.AlignHCenter
            onClicked: vm.goHome()
        }
    }
}
