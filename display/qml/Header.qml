// Branch name, connection state, and the branch's date and clock (one format whatever the language).
import QtQuick
import QtQuick.Layouts

Rectangle {
    id: header
    objectName: "header"
    required property QtObject theme
    color: theme.panel

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: header.theme.s.margin * 2
        anchors.rightMargin: header.theme.s.margin * 2
        spacing: header.theme.s.margin * 2

        Item {  // a plain box in the layout: a fitted text's implicit size must not feed back into it (a loop)
            Layout.fillWidth: true
            Layout.preferredWidth: 1
            Layout.minimumWidth: 0
            Layout.preferredHeight: header.height
            FitText {
                objectName: "branchName"
                anchors.fill: parent
                text: vm.branchName
                color: header.theme.text
                size: header.theme.s.secondary
                floor: header.theme.s.floor
                bold: true
                horizontalAlignment: Text.AlignLeft
            }
        }
        Rectangle {
            objectName: "staleIndicator"
            // portrait: no room beside the name; the calls' title says "not up to date" in every layout
            visible: vm.stale && vm.layout === "landscape"
            radius: height / 2
            color: header.theme.warning
            Layout.preferredHeight: header.theme.s.small * 1.4
            Layout.preferredWidth: staleText.naturalWidth + header.theme.s.small
            FitText {
                id: staleText
                objectName: "staleText"
                anchors.fill: parent
                anchors.leftMargin: header.theme.s.small / 2
                anchors.rightMargin: header.theme.s.small / 2
                text: qsTr("Reconnecting…")
                color: header.theme.accentText
                size: header.theme.s.small
                floor: header.theme.s.floor
                bold: true
                horizontalAlignment: Text.AlignHCenter
            }
        }
        Item {  // a plain box in the layout: a fitted text's implicit size must not feed back into it
            // a portrait header has room for the name and the clock only; while stale the pill takes the date's
            // place (the branch's name must not be squeezed under its floor by it)
            visible: vm.layout === "landscape" && !vm.stale
            Layout.preferredHeight: header.height
            Layout.preferredWidth: Math.min(date.naturalWidth, header.width * 0.3)
            FitText {
                id: date
                objectName: "date"
                anchors.fill: parent
                text: vm.dateText
                color: header.theme.muted
                size: header.theme.s.small
                floor: header.theme.s.floor
                horizontalAlignment: Text.AlignRight
            }
        }
        Text {
            id: clock
            objectName: "clock"
            text: vm.clockText
            color: header.theme.text
            font.pixelSize: header.theme.s.secondary
            font.bold: true
            verticalAlignment: Text.AlignVCenter
            Layout.fillHeight: true
        }
    }
}
