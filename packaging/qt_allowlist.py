"""Which parts of Qt, Babel and the Python standard library a SmartQueue bundle keeps.

PyInstaller's PySide6 hooks collect the whole `Qt/qml` tree and every plugin folder a used module might want; through
their dependencies that pulls in WebEngine (200 MB), Quick3D, Pdf, Charts, gtk… (a 544 MB bundle). This module is
the allow-list the spec filters with: only the Qt plugins, QML modules and locale data the apps use are kept, then
`dependency_closure` drops every shared library nothing kept links to.

Pure functions over PyInstaller TOC entries `(dest_name, src_path, typecode)`, so the rules are unit-tested without a
build. Paths are compared after normalisation (`/` separators, no `PySide6/Qt/` or `PySide6/` prefix, plugin file
names without `lib` and extension), so the same rules hold for a Windows build
(`PySide6/plugins/platforms/qwindows.dll`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Entry = tuple[str, str, str]

#: Qt plugins kept, by folder and plugin base name (no `lib`, no extension).
PLUGINS: dict[str, frozenset[str]] = {
    # offscreen: tests and screenshots; xcb: X11 kiosks; eglfs/linuxfb: GPU or framebuffer without X;
    # minimal: CLI tools that create a QGuiApplication; windows: a Windows build.
    "platforms": frozenset({"qoffscreen", "qxcb", "qeglfs", "qlinuxfb", "qminimal", "qwindows"}),
    "xcbglintegrations": frozenset({"qxcb-glx-integration", "qxcb-egl-integration"}),
    "egldeviceintegrations": frozenset({"qeglfs-kms-integration", "qeglfs-kms-egldevice-integration"}),
    # png is built into QtGui; jpeg for logos and media panels, svg for icons in QML.
    "imageformats": frozenset({"qjpeg", "qsvg"}),
    # touch screens and keyboards on eglfs/linuxfb (X11 has its own input).
    "generic": frozenset({"qevdevtouchplugin", "qevdevkeyboardplugin", "qevdevmouseplugin"}),
    "platforminputcontexts": frozenset({"composeplatforminputcontextplugin"}),
    # the display's chime and voice clips and its media panel (QtMultimedia's only backend in the wheels).
    "multimedia": frozenset({"ffmpegmediaplugin", "windowsmediaplugin"}),
    "styles": frozenset({"qwindowsvistastyle", "qmodernwindowsstyle"}),  # Windows Widgets style (setup wizard)
}

#: QML module folders kept (relative to the qml root); a folder keeps its files but not its sub-modules unless listed.
QML_MODULES: frozenset[str] = frozenset({
    "QtQml", "QtQml/Models", "QtQml/WorkerScript",
    "QtQuick", "QtQuick/Window", "QtQuick/Layouts", "QtQuick/Templates",
    "QtQuick/Controls", "QtQuick/Controls/Basic", "QtQuick/Controls/Basic/impl", "QtQuick/Controls/impl",
    "QtMultimedia",
})
#: QML type files at the root of the qml folder.
QML_ROOT_FILES: frozenset[str] = frozenset({"builtins.qmltypes", "jsroot.qmltypes"})

#: Babel locale data kept: the product speaks fr, en and ar (31 MB of data shrinks to about 2 MB).
BABEL_LOCALES = re.compile(r"^(root|en|fr|ar)(_[A-Za-z0-9]+)*\.dat$")

#: Python modules never needed at run time; excluding them keeps their hooks from running at all.
EXCLUDED_MODULES: tuple[str, ...] = (
    "tkinter", "unittest", "pydoc_data", "lib2to3", "pytest", "_pytest", "hypothesis", "IPython",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel",
    "PySide6.QtWebView", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.Qt3DCore", "PySide6.Qt3DRender",
    "PySide6.Qt3DExtras", "PySide6.Qt3DInput", "PySide6.Qt3DLogic", "PySide6.Qt3DAnimation", "PySide6.QtQuick3D",
    "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtGraphsWidgets",
    "PySide6.QtLocation", "PySide6.QtPositioning", "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtSensors",
    "PySide6.QtDesigner", "PySide6.QtHelp", "PySide6.QtUiTools", "PySide6.QtSql", "PySide6.QtTest",
    "PySide6.QtQuickTest", "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtStateMachine",
    "PySide6.QtTextToSpeech", "PySide6.QtSpatialAudio", "PySide6.QtHttpServer", "PySide6.QtNetworkAuth",
    "PySide6.QtSerialBus", "PySide6.QtSerialPort", "PySide6.QtWebSockets", "PySide6.QtDBus", "PySide6.QtPrintSupport",
    "PySide6.QtQuickWidgets", "PySide6.QtMultimediaWidgets", "PySide6.QtOpenGLWidgets", "PySide6.QtCanvasPainter",
    "PySide6.QtAxContainer", "PySide6.QtConcurrent", "PySide6.QtXml", "PySide6.QtSvgWidgets", "PySide6.QtAsyncio",
    # NOT PySide6.QtOpenGL: the QtQuick binding imports it ("libshiboken: could not import module PySide6.QtOpenGL").
)

_PLUGIN_NAME = re.compile(r"^(lib)?(?P<stem>.+?)(\.so(\.\d+)*|\.dll|\.dylib)$")
_SHARED_LIB = re.compile(r"(\.so(\.\d+)*|\.dll|\.dylib)$")


def qt_relative(dest: str) -> str | None:
    """`plugins/…`, `qml/…`, `lib/…`, `translations/…` for a file of the Qt tree; None for anything else."""
    path = dest.replace("\\", "/")
    for prefix in ("PySide6/Qt/", "PySide6/"):
        if path.startswith(prefix):
            rest = path[len(prefix):]
            if rest.split("/", 1)[0] in ("plugins", "qml", "lib", "translations", "resources", "libexec", "bin"):
                return rest
    return None


def keep_plugin(rel: str) -> bool:
    """`plugins/<folder>/<file>`: kept when the folder and the plugin's base name are allow-listed."""
    parts = rel.split("/")
    if len(parts) != 3:
        return False
    match = _PLUGIN_NAME.match(parts[2])
    return match is not None and match.group("stem") in PLUGINS.get(parts[1], frozenset())


def keep_qml(rel: str) -> bool:
    """`qml/<module path>/<file>`: kept when its folder is one of the QML modules the apps import."""
    inner = rel[len("qml/"):]
    folder, _, name = inner.rpartition("/")
    if not folder:
        return name in QML_ROOT_FILES
    return folder in QML_MODULES


def keep_qt_file(dest: str) -> bool:
    """The allow-list decision for one collected file; files outside the Qt tree are not this rule's business."""
    rel = qt_relative(dest)
    if rel is None:
        return True
    top = rel.split("/", 1)[0]
    if top == "plugins":
        return keep_plugin(rel)
    if top == "qml":
        return keep_qml(rel)
    # lib: shared libraries, decided by `dependency_closure`; everything else goes (translations: we use gettext;
    # WebEngine resources; libexec helpers)
    return top == "lib"


def keep_babel_data(dest: str) -> bool:
    """Babel's locale-data: only the languages the product speaks."""
    path = dest.replace("\\", "/")
    if not path.startswith("babel/locale-data/"):
        return True
    return bool(BABEL_LOCALES.match(path.rsplit("/", 1)[1]))


def keep(dest: str) -> bool:
    return keep_qt_file(dest) and keep_babel_data(dest)


def filter_entries(entries: Iterable[Entry]) -> list[Entry]:
    return [entry for entry in entries if keep(entry[0])]


def is_library(entry: Entry) -> bool:
    """A shared library collected as somebody's dependency (a candidate for pruning), not a root."""
    dest, _, typecode = entry
    if typecode == "EXTENSION":
        return False
    rel = qt_relative(dest)
    if rel is not None and rel.split("/", 1)[0] in ("plugins", "qml"):
        return False
    name = dest.replace("\\", "/").rsplit("/", 1)[-1]
    return bool(_SHARED_LIB.search(name)) and not name.lower().startswith(("libpython", "python3"))


def dependency_closure(binaries: Iterable[Entry], imports_of: Callable[[str], Iterable[str]]) -> list[Entry]:
    """Keep roots (extensions, kept plugins, libpython) and every library they reach through their imports.

    `imports_of(src_path)` lists the names a binary links to (DT_NEEDED / PE imports; PyInstaller's `get_imports`).
    A library is matched by base name, the way the dynamic loader finds it in the bundle's folder.
    """
    entries = list(binaries)
    by_name: dict[str, list[Entry]] = {}
    for entry in entries:
        by_name.setdefault(entry[0].replace("\\", "/").rsplit("/", 1)[-1].lower(), []).append(entry)
    reached: set[Entry] = set()
    todo = [entry for entry in entries if not is_library(entry)]
    while todo:
        entry = todo.pop()
        if entry in reached:
            continue
        reached.add(entry)
        if entry[2] == "SYMLINK":  # (link name, target name, "SYMLINK"): the loader follows it to the target
            todo.extend(by_name.get(entry[1].replace("\\", "/").rsplit("/", 1)[-1].lower(), []))
            continue
        for name in imports_of(entry[1]):
            todo.extend(by_name.get(name.replace("\\", "/").rsplit("/", 1)[-1].lower(), []))
    return [entry for entry in entries if entry in reached]
