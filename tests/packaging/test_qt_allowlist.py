"""The bundle's Qt allow-list: what is kept, what is pruned, Linux and Windows names alike."""

from __future__ import annotations

import pytest

from tests.packaging.conftest import load

rules = load("qt_allowlist")


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", True),
    ("PySide6/Qt/plugins/platforms/libqlinuxfb.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
    ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/qml/QtQuick/Controls/Basic/Button.qml", True),
    ("PySide6/Qt/qml/QtQuick/Controls/Material/Button.qml", False),
    ("PySide6/Qt/qml/QtQuick/Layouts/qmldir", True),
    ("PySide6/Qt/qml/QtQuick/VirtualKeyboard/qmldir", False),
    ("PySide6/Qt/qml/QtWebEngine/qmldir", False),
    ("PySide6/Qt/qml/QtQuick3D/qmldir", False),
    ("PySide6/Qt/qml/QtMultimedia/Video.qml", True),
    ("PySide6/Qt/qml/builtins.qmltypes", True),
    ("PySide6/Qt/translations/qtbase_fr.qm", False),
    ("PySide6/Qt/resources/qtwebengine_resources.pak", False),
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("babel/locale-data/fr_FR.dat", True),
    ("babel/locale-data/ar_MA.dat", True),
    ("babel/locale-data/de_DE.dat", False),
    ("babel/global.dat", True),
    ("kiosk/qml/Main.qml", True),
])
def test_keep(dest, kept):
    assert rules.keep(dest) is kept


def test_closure_drops_libraries_nothing_links_to():
    entries = [
        ("PySide6/QtCore.abi3.so", "/w/QtCore.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/w/libQt6Core.so.6", "BINARY"),
        ("libicuuc.so.73", "/w/libicuuc.so.73.2", "BINARY"),
        ("libicu.so", "libicuuc.so.73", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", "/w/libQt6WebEngineCore.so.6", "BINARY"),
        ("libpython3.11.so.1.0", "/w/libpython3.11.so.1.0", "BINARY"),
    ]
    links = {"/w/QtCore.abi3.so": ["libQt6Core.so.6"], "/w/libQt6Core.so.6": ["libicuuc.so.73"]}
    kept = {entry[0] for entry in rules.dependency_closure(entries, lambda src: links.get(src, []))}
    assert kept == {"PySide6/QtCore.abi3.so", "PySide6/Qt/lib/libQt6Core.so.6", "libicuuc.so.73",
                    "libpython3.11.so.1.0"}


def test_qtopengl_is_never_excluded():
    # the QtQuick binding imports it; excluding it breaks every QML app in the bundle
    assert "PySide6.QtOpenGL" not in rules.EXCLUDED_MODULES
