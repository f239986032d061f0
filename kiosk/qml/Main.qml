import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import QtQuick.Window
import SmartQueue.Kiosk

// The kiosk: one window, one screen at a time (vm.screen). Layout mirrors for Arabic.
Window {
    id: root
    width: 1080
    height: 1920
    visible: true
    title: "SmartQueue kiosk"
    color: ui.background

    LayoutMirroring.enabled: vm.rtl
    LayoutMirroring.childrenInherit: true

    Theme { id: ui; contrast: vm.highContrast; large: vm.largeText }

    // Each customer's screens are created and destroyed by the Loader: collect them while the kiosk idles.
    Connections {
        target: vm
        function onScreenChanged() { if (vm.screen === "home") gc() }
    }

    // Any press anywhere keeps the customer's session alive.
    MouseArea { anchors.fill: parent; z: -1; onPressed: (mouse) => { vm.touched(); mouse.accepted = false } }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 32
        spacing: 24

        RowLayout {  // header: branch, languages, accessibility
            Layout.fillWidth: true
            spacing: 12
            Text {
                objectName: "branchName"
                text: vm.branchName
                color: ui.text
                font.pixelSize: 32 * ui.scale
                font.bold: true
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Repeater {
                model: vm.languages
                delegate: Button {
                    required property var modelData
                    objectName: "lang_" + modelData.code
                    text: modelData.label
                    font.pixelSize: 24
                    checkable: true
                    checked: vm.language === modelData.code
                    onClicked: vm.setLanguage(modelData.code)
                }
            }
            Button {
                objectName: "largeText"
                text: "A+"
                font.pixelSize: 24
                checkable: true
                checked: vm.largeText
                Accessible.name: qsTr("Large text")
                onClicked: vm.toggleLargeText()
            }
            Button {
                objectName: "highContrast"
                text: "◐"
                font.pixelSize: 24
                checkable: true
                checked: vm.highContrast
                Accessible.name: qsTr("High contrast")
                onClicked: vm.toggleHighContrast()
            }
        }

        Loader {
            Layout.fillWidth: true
            Layout.fillHeight: true
            sourceComponent: ({
                home: homeScreen, priority: priorityScreen, ticket: ticketScreen, message: messageScreen,
                offline: offlineScreen, techpin: techPinScreen, technician: technicianScreen
            })[vm.screen]
        }
    }

    // The technician's hidden corner (top, on the side opposite to reading start).
    MouseArea {
        objectName: "techCorner"
        width: 96; height: 96
        anchors.top: parent.top
        anchors.right: parent.right
        onClicked: tech.cornerTapped()
    }

    Rectangle {  // busy veil: the ticket is on its way
        objectName: "busy"
        anchors.fill: parent
        visible: vm.busy
        color: "#80000000"
        MouseArea { anchors.fill: parent }
        BusyIndicator { anchors.centerIn: parent; running: vm.busy; width: 120; height: 120 }
    }

    Component {
        id: homeScreen
        ColumnLayout {
            spacing: 24
            Text {
                text: qsTr("Please choose a service")
                color: ui.text
                font.pixelSize: 44 * ui.scale
                font.bold: true
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            GridLayout {
                Layout.fillWidth: true
                columns: ui.large ? 1 : 2
                columnSpacing: 20
                rowSpacing: 20
                Repeater {
                    model: vm.tiles
                    delegate: BigButton {
                        required property var modelData
                        theme: ui
                        objectName: "tile_" + modelData.id
                        text: modelData.name
                        detail: modelData.detail
                        enabled: modelData.open
                        primary: modelData.kind === "service"
                        Layout.fillWidth: true
                        Layout.preferredWidth: 1
                        onClicked: modelData.kind === "group" ? vm.openGroup(modelData.id)
                                                              : vm.chooseService(modelData.id)
                    }
                }
            }
            BigButton {
                theme: ui
                objectName: "back"
                visible: vm.inGroup
                text: qsTr("Back")
                Layout.alignment: Qt.AlignHCenter
                onClicked: vm.back()
            }
            Item { Layout.fillHeight: true }
            Text {
                text: qsTr("Have an appointment? Scan the code from your confirmation below.")
                color: ui.muted
                font.pixelSize: 26 * ui.scale
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
        }
    }

    Component {
        id: priorityScreen
        ColumnLayout {
            spacing: 20
            Text {
                text: qsTr("Do you need priority service?")
                color: ui.text
                font.pixelSize: 40 * ui.scale
                font.bold: true
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            Repeater {
                model: vm.categories
                delegate: BigButton {
                    required property var modelData
                    theme: ui
                    objectName: "priority_" + modelData.id
                    text: modelData.name
                    Layout.fillWidth: true
                    onClicked: vm.choosePriority(modelData.id)
                }
            }
            BigButton {
                theme: ui
                objectName: "priority_none"
                primary: true
                text: qsTr("No, thank you")
                Layout.fillWidth: true
                onClicked: vm.choosePriority("")
            }
            Item { Layout.fillHeight: true }
            BigButton {
                theme: ui
                objectName: "cancel"
                text: qsTr("Cancel")
                Layout.alignment: Qt.AlignHCenter
                onClicked: vm.goHome()
            }
        }
    }

    Component {
        id: ticketScreen
        ColumnLayout {
            spacing: 16
            Text {
                text: qsTr("Your number")
                color: ui.muted
                font.pixelSize: 36 * ui.scale
                Layout.alignment: Qt.AlignHCenter
            }
            Text {
                objectName: "ticketNumber"
                text: vm.ticket.number || ""
                color: ui.accent
                font.pixelSize: 180 * ui.scale
                font.bold: true
                Layout.alignment: Qt.AlignHCenter
            }
            Text {
                objectName: "ticketService"
                text: vm.ticket.service || ""
                color: ui.text
                font.pixelSize: 36 * ui.scale
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            Text {
                objectName: "ticketAhead"
                text: vm.ticket.ahead || ""
                color: ui.text
                font.pixelSize: 30 * ui.scale
                Layout.alignment: Qt.AlignHCenter
            }
            Text {
                objectName: "ticketWait"
                text: vm.ticket.wait || ""
                color: ui.text
                font.pixelSize: 30 * ui.scale
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            QrCode {
                objectName: "ticketQr"
                visible: (vm.ticket.qr || "").length > 0
                payload: vm.ticket.qr || ""
                Layout.preferredWidth: 300
                Layout.preferredHeight: 300
                Layout.alignment: Qt.AlignHCenter
            }
            Text {
                objectName: "ticketNote"
                text: vm.ticket.printing ? qsTr("Printing your ticket…") : (vm.ticket.note || "")
                color: vm.ticket.printed || vm.ticket.printing ? ui.text : ui.warning
                font.pixelSize: 28 * ui.scale
                font.bold: !vm.ticket.printed
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            Item { Layout.fillHeight: true }
            BigButton {
                theme: ui
                objectName: "done"
                primary: true
                text: qsTr("Done")
                Layout.alignment: Qt.AlignHCenter
                Layout.preferredWidth: 360
                onClicked: vm.goHome()
            }
        }
    }

    Component {
        id: messageScreen
        ColumnLayout {
            spacing: 32
            Item { Layout.fillHeight: true }
            Text {
                objectName: "messageText"
                text: vm.message
                color: ui.text
                font.pixelSize: 40 * ui.scale
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            BigButton {
                theme: ui
                objectName: "ok"
                primary: true
                text: qsTr("OK")
                Layout.alignment: Qt.AlignHCenter
                Layout.preferredWidth: 360
                onClicked: vm.goHome()
            }
            Item { Layout.fillHeight: true }
        }
    }

    Component {
        id: offlineScreen
        ColumnLayout {
            spacing: 24
            Item { Layout.fillHeight: true }
            BusyIndicator { running: true; Layout.alignment: Qt.AlignHCenter; width: 96; height: 96 }
            Text {
                objectName: "offlineText"
                text: qsTr("Please wait a moment: the ticket service is reconnecting.")
                color: ui.text
                font.pixelSize: 40 * ui.scale
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            Text {
                text: qsTr("If this lasts, please ask a member of staff.")
                color: ui.muted
                font.pixelSize: 30 * ui.scale
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.WordWrap
            }
            Item { Layout.fillHeight: true }
        }
    }

    Component {
        id: techPinScreen
        ColumnLayout {
            spacing: 16
            LayoutMirroring.enabled: false  // technicians' panel: fixed left to right
            Text { text: qsTr("Technician PIN"); color: ui.text; font.pixelSize: 32; Layout.alignment: Qt.AlignHCenter }
            TextField {
                id: pin
                objectName: "techPinField"
                echoMode: TextInput.Password
                inputMethodHints: Qt.ImhDigitsOnly
                font.pixelSize: 32
                Layout.alignment: Qt.AlignHCenter
                Layout.preferredWidth: 320
                onAccepted: tech.submitPin(text)
            }
            Text { text: tech.pinError; color: ui.warning; font.pixelSize: 24; Layout.alignment: Qt.AlignHCenter }
            RowLayout {
                Layout.alignment: Qt.AlignHCenter
                Button { objectName: "techPinOk"; text: "OK"; font.pixelSize: 28; onClicked: tech.submitPin(pin.text) }
                Button { text: "✕"; font.pixelSize: 28; onClicked: tech.closePanel() }
            }
            Item { Layout.fillHeight: true }
        }
    }

    Component {
        id: technicianScreen
        ColumnLayout {
            spacing: 12
            LayoutMirroring.enabled: false
            Text { text: qsTr("Technician"); color: ui.text; font.pixelSize: 36; font.bold: true }
            Repeater {
                model: [
                    qsTr("Node: %1").arg(tech.status.node) + "  " + (tech.status.online ? qsTr("connected") : qsTr("NOT connected")),
                    qsTr("Device: %1").arg(tech.status.device) + "   " + qsTr("version %1").arg(tech.status.version),
                    qsTr("Printer: %1").arg(tech.status.printer)
                        + (tech.status.paperLeft >= 0 ? "   " + qsTr("about %1 tickets left").arg(tech.status.paperLeft) : "")
                ]
                delegate: Text { required property var modelData; text: modelData; color: ui.text; font.pixelSize: 24 }
            }
            Text { text: qsTr("Last errors"); color: ui.text; font.pixelSize: 26; font.bold: true }
            Repeater {
                model: tech.status.errors
                delegate: Text {
                    required property var modelData
                    text: modelData
                    color: ui.muted
                    font.pixelSize: 18
                    Layout.fillWidth: true
                    wrapMode: Text.WrapAnywhere
                }
            }
            RowLayout {
                Button { objectName: "techPrintTest"; text: qsTr("Print test ticket"); font.pixelSize: 24; onClicked: tech.printTestTicket() }
                Button { objectName: "techRefresh"; text: qsTr("Refresh"); font.pixelSize: 24; onClicked: tech.refresh() }
                Button { objectName: "techReload"; text: qsTr("Reload configuration"); font.pixelSize: 24; onClicked: tech.reloadConfig() }
                Button { objectName: "techClose"; text: qsTr("Close"); font.pixelSize: 24; onClicked: tech.closePanel() }
            }
            Item { Layout.fillHeight: true }
        }
    }
}
