// The media playlist: an image, or a video played to its end (then the view-model moves on).
// The video's volume follows the view-model, which ducks it while a call is announced.
import QtQuick
import QtMultimedia

Rectangle {
    id: media
    objectName: "mediaPanel"
    required property QtObject theme
    color: "black"
    radius: 16 * theme.u
    clip: true

    Image {
        objectName: "mediaImage"
        anchors.fill: parent
        visible: vm.mediaKind === "image"
        source: vm.mediaKind === "image" ? vm.mediaSource : ""
        fillMode: Image.PreserveAspectFit
        asynchronous: true
    }

    VideoOutput {
        id: videoOutput
        objectName: "mediaVideo"
        anchors.fill: parent
        visible: vm.mediaKind === "video"
    }

    MediaPlayer {
        id: player
        objectName: "mediaPlayer"
        source: vm.mediaKind === "video" ? vm.mediaSource : ""
        videoOutput: videoOutput
        audioOutput: AudioOutput { volume: vm.mediaVolume }
        onSourceChanged: if (source != "") play()
        onMediaStatusChanged: if (mediaStatus === MediaPlayer.EndOfMedia) vm.mediaEnded()
        onErrorOccurred: vm.mediaEnded()
    }
}
