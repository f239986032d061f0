// The calling display's window: picks the layout the view-model asks for. The layout's direction follows the
// board's first language and never flips when the words alternate (the view-model's `layoutRtl`).
import QtQuick
import QtQuick.Window

Window {
    id: window
    objectName: "displayWindow"
    visible: true
    color: "#0b1d33"
    title: "SmartQueue"
    onWidthChanged: vm.setViewport(width, height)
    onHeightChanged: vm.setViewport(width, height)
    Component.onCompleted: vm.setViewport(width, height)

    Item {
        id: board
        objectName: "board"
        anchors.fill: parent
        LayoutMirroring.enabled: vm.layoutRtl
        LayoutMirroring.childrenInherit: true

        Loader {
            id: layoutLoader
            objectName: "layoutLoader"
            anchors.fill: parent
            source: vm.layout === "portrait" ? "Portrait.qml" : "Landscape.qml"
        }
    }
}
