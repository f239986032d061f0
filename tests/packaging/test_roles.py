"""Which file goes to which package, and how Depends are worked out: rules tested without a build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.packaging.conftest import load

roles = load("roles")
debian_libs = load("debian_libs")


@pytest.mark.parametrize(("rel", "package"), [
    ("smartqueue", "smartqueue"),
    ("_internal/base_library.zip", "smartqueue"),
    ("_internal/libpython3.11.so.1.0", "smartqueue"),
    ("_internal/_cffi_backend.cpython-311-x86_64-linux-gnu.so", "smartqueue"),
    ("_internal/kiosk/qml/Main.qml", "smartqueue"),
    ("_internal/PySide6/QtCore.abi3.so", "smartqueue-apps"),
    ("_internal/PIL/_imaging.cpython-311-x86_64-linux-gnu.so", "smartqueue-apps"),
    ("_internal/pillow.libs/libjpeg-6dc8d115.so.62.4.0", "smartqueue-apps"),
    ("share/clips/fr/7.wav", "smartqueue-apps"),
    ("_internal/cv2/cv2.abi3.so", "smartqueue-camera"),
    ("_internal/numpy-2.4.6.dist-info/LICENSE.txt", "smartqueue-camera"),
    ("_internal/zxingcpp.cpython-311-x86_64-linux-gnu.so", "smartqueue-camera"),
    ("_internal/psycopg/pq/_pq_ctypes.pyc", "smartqueue-postgresql"),
    ("_internal/psycopg_binary.libs/libpq-9b38f5e3.so.5.17", "smartqueue-postgresql"),
    ("_internal/psycopg_binary-3.3.9.dist-info/METADATA", "smartqueue-postgresql"),
    ("_internal/libQt6Core.so.6", None),  # a top-level library: placed by who links to it
])
def test_package_of(rel, package):
    assert roles.package_of(rel) == package


def test_a_library_goes_to_the_lowest_package_that_needs_it():
    fixed = {"_internal/lib-dynload/_ssl.so": roles.NODE, "_internal/PySide6/QtCore.abi3.so": roles.APPS,
             "_internal/cv2/cv2.abi3.so": roles.CAMERA}
    libraries = ["_internal/libQt6Core.so.6", "_internal/libicuuc.so.73", "_internal/libz-x.so.1",
                 "_internal/libunused.so.1"]
    links = {"_internal/PySide6/QtCore.abi3.so": ["libQt6Core.so.6"], "_internal/libQt6Core.so.6": ["libicuuc.so.73"],
             "_internal/cv2/cv2.abi3.so": ["libicuuc.so.73", "libz-x.so.1"]}
    assignment, unused = roles.assign_libraries(fixed, libraries, lambda path: links.get(path, []))
    assert assignment["_internal/libQt6Core.so.6"] == roles.APPS
    assert assignment["_internal/libicuuc.so.73"] == roles.APPS  # reached from Qt first: the camera depends on apps
    assert assignment["_internal/libz-x.so.1"] == roles.CAMERA
    assert unused == ["_internal/libunused.so.1"]


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs dpkg")
def test_depends_come_from_the_owning_package_and_its_shlibs():
    python = Path("/usr/bin/python3").resolve()
    depends, unresolved = debian_libs.needed_packages([python], provided=set())
    assert unresolved == {}
    assert depends["libc6"].startswith("libc6 (>= 2.")  # from libc6's shlibs file, with its minimum version


def test_a_library_bundled_with_the_package_is_not_a_dependency():
    python = Path("/usr/bin/python3").resolve()
    needed = set(debian_libs.elf_needed(python))
    depends, _ = debian_libs.needed_packages([python], provided=needed)
    assert depends == {}
