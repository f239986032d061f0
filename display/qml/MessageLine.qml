// The scrolling message line (configured, or pushed by central): it rests at its reading start for a moment,
// scrolls out, then comes back in from the far edge. Right to left, it moves the other way.
import QtQuick

Rectangle {
    id: line
    objectName: "messageLine"
    required property QtObject theme
    color: theme.accent
    clip: true
    property bool auditMarquee: true  // the layout audit checks the strip and the text's height, not its run

    readonly property real restX: vm.rtl ? line.width - message.width - theme.s.margin * 2 : theme.s.margin * 2
    readonly property real outX: vm.rtl ? line.width : -message.width
    readonly property real inX: vm.rtl ? -message.width : line.width

    FitText {  // its own width (it scrolls), the strip's height: a line box of the strip whatever the script
        id: message
        objectName: "messageText"
        width: naturalWidth + 2  // its own: a width taken from the text it shrinks to fit would loop to the floor
        height: line.height
        x: line.restX
        text: vm.messageText
        color: line.theme.accentText
        size: line.theme.s.secondary
        floor: line.theme.s.floor
        bold: true
        onTextChanged: scroll.restart()
    }

    SequentialAnimation {
        id: scroll
        objectName: "messageScroll"
        loops: Animation.Infinite
        running: line.visible && message.text !== ""
        PropertyAction { target: message; property: "x"; value: line.restX }
        PauseAnimation { duration: 3000 }
        NumberAnimation {
            target: message; property: "x"; from: line.restX; to: line.outX
            duration: Math.max(1, Math.abs(line.restX - line.outX) / vm.messageSpeed * 1000)
        }
        PropertyAction { target: message; property: "x"; value: line.inX }
        NumberAnimation {
            target: message; property: "x"; from: line.inX; to: line.restX
            duration: Math.max(1, Math.abs(line.inX - line.restX) / vm.messageSpeed * 1000)
        }
    }
}
