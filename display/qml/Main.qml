// The calling display's window: picks the layout the view-model asks for; mirrors for right-to-left languages.
import QtQuick
import QtQuick.Window

Window {
    id: window
    objectName: "displayWindow"
    visible: true
    color: "#0b1d33"
    title: "SmartQueue"

    Item {
        id: board
        objectName: "board"
        anchors.fill: parent
        LayoutMirroring.enabled: vm.rtl
        LayoutMirroring.childrenInherit: true

        Loader {
            id: layoutLoader
            objectName: "layoutLoader"
            anchors.fill: parent
            source: vm.layout === "portrait" ? "Portrait.qml" : "Landscape.qml"
        }
    }
}
