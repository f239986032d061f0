// The call being made: ticket number and counter, large; it blinks while the view-model says `highlight`
// and pops in when a new call arrives (`callSerial` changes).
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: now
    objectName: "nowCalling"
    required property QtObject theme
    color: vm.highlight && blink.on ? theme.accent : theme.panel
    radius: 16 * theme.u
    border.color: theme.accent
    border.width: 4 * theme.u

    readonly property color ink: vm.highlight && blink.on ? theme.accentText : theme.text

    Timer {
        id: blink
        objectName: "blinkTimer"
        property bool on: true
        interval: 500
        repeat: true
        running: vm.highlight
        onTriggered: on = !on
        onRunningChanged: on = true
    }

    Connections {
        target: vm
        function onCallSerialChanged() { pop.restart() }
    }

    SequentialAnimation {
        id: pop
        NumberAnimation { target: content; property: "scale"; from: 0.6; to: 1.08; duration: 220; easing.type: Easing.OutBack }
        NumberAnimation { target: content; property: "scale"; to: 1.0; duration: 120 }
    }

    ColumnLayout {
        id: content
        anchors.centerIn: parent
        width: parent.width - 40 * now.theme.u
        spacing: 0

        Text {
            objectName: "nowCallingTitle"
            text: qsTr("Now calling")
            color: now.ink
            font.pixelSize: now.height * 0.07
            font.bold: true
            Layout.alignment: Qt.AlignHCenter
        }
        Text {
            objectName: "nowNumber"
            visible: vm.hasCall
            text: vm.nowNumber
            color: now.ink
            font.pixelSize: Math.min(now.height * 0.33, now.width * 0.2)
            font.bold: true
            Layout.alignment: Qt.AlignHCenter
        }
        Text {
            objectName: "nowCounter"
            visible: vm.hasCall
            text: vm.nowCounter
            color: now.ink
            font.pixelSize: now.height * 0.13
            font.bold: true
            Layout.alignment: Qt.AlignHCenter
        }
        Text {
            objectName: "nowService"
            visible: vm.hasCall && vm.nowService !== ""
            text: vm.nowService
            color: now.ink
            opacity: 0.8
            font.pixelSize: now.height * 0.06
            Layout.alignment: Qt.AlignHCenter
        }
        Text {
            objectName: "noCall"
            visible: !vm.hasCall
            text: qsTr("Please wait to be called")
            color: now.ink
            font.pixelSize: now.height * 0.09
            Layout.alignment: Qt.AlignHCenter
        }
    }
}
