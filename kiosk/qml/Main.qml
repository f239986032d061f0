import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import QtQuick.Window

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

    Theme {
        id: ui
        contrast: vm.highContrast
        scale: vm.textScale
        pxPerMm: Math.hypot(root.width, root.height) / (vm.screenDiagonalInches * 25.4)
    }

    // Each customer's screens are created and destroyed by the Loader: collect them while the kiosk idles.
    Connections {
        target: vm
        function onScreenChanged() { if (vm.screen === "home") gc() }
    }

    // Any press anywhere keeps the customer's session alive.
    MouseArea {
        property bool auditBackdrop: true
        anchors.fill: parent
        z: -1
        onPressed: (mouse) => { vm.touched(); mouse.accepted = false }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 32
        spacing: 24

        RowLayout {  // header: branch, languages, accessibility; one fixed height in every language
            objectName: "header"
            Layout.fillWidth: true
            Layout.fillHeight: false
            Layout.preferredHeight: ui.headerHeight
            Layout.maximumHeight: ui.headerHeight
            spacing: 12
            Text {
                objectName: "branchName"
                text: vm.branchName
                color: ui.text
                font.pixelSize: 32 * ui.scale
                font.bold: true
                fontSizeMode: Text.Fit
                minimumPixelSize: 18
                Layout.fillWidth: true
                Layout.fillHeight: true
                verticalAlignment: Text.AlignVCenter
                horizontalAlignment: Text.AlignLeft
            }
            Repeater {
                model: vm.languages
                delegate: HeaderButton {
                    required property var modelData
                    theme: ui
                    objectName: "lang_" + modelData.code
                    text: modelData.label
                    checked: vm.language === modelData.code
                    Accessible.name: modelData.label
                    onClicked: vm.setLanguage(modelData.code)
                }
            }
            HeaderButton {
                theme: ui
                objectName: "largeText"
                text: "A+"
                checked: vm.largeText
                Accessible.name: qsTr("Large text")
                onClicked: vm.toggleLargeText()
            }
            HeaderButton {
                theme: ui
                objectName: "highContrast"
                text: "◐"
                checked: vm.highContrast
                Accessible.name: qsTr("High contrast")
                onClicked: vm.toggleHighContrast()
            }
        }

        Loader {
            objectName: "screen"
            Layout.fillWidth: true
            Layout.fillHeight: true
            sourceComponent: ({
                home: homeScreen, priority: priorityScreen, ticket: ticketScreen, message: messageScreen,
                offline: offlineScreen, techpin: techPinScreen, technician: technicianScreen
            })[vm.screen]
        }
    }

    // The technician's hidden corner: over the branch name (top, reading start), where no control is; only
    // when a technician PIN is configured.
    MouseArea {
        objectName: "techCorner"
        visible: tech.enabled
        width: ui.headerHeight + 32
        height: ui.headerHeight + 32
        anchors.top: parent.top
        anchors.left: parent.left
        onClicked: tech.cornerTapped()
    }

    Rectangle {  // busy veil: the ticket is on its way
        objectName: "busy"
        anchors.fill: parent
        visible: vm.busy
        color: "#80000000"
        MouseArea { property bool auditBackdrop: true; anchors.fill: parent }
        BusyIndicator { anchors.centerIn: parent; running: vm.busy; width: 120; height: 120 }
    }

    Component { id: homeScreen; HomeScreen { theme: ui } }
    Component { id: priorityScreen; PriorityScreen { theme: ui } }
    Component { id: ticketScreen; TicketScreen { theme: ui } }
    Component { id: messageScreen; MessageScreen { theme: ui } }
    Component { id: offlineScreen; OfflineScreen { theme: ui } }
    Component { id: techPinScreen; TechPinScreen { theme: ui } }
    Component { id: technicianScreen; TechnicianScreen { theme: ui } }
}
