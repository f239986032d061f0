"""One build, one package per role: which files of the bundle go to which .deb.

- `smartqueue` (the node, and every command line tool): Python, the node's libraries, no Qt, OpenCV, numpy or Pillow.
- `smartqueue-apps` (kiosk, display, keypad; depends on smartqueue): PySide6 and Qt, Pillow, the voice clips.
- `smartqueue-postgresql` (depends on smartqueue): psycopg and its libpq, for the reference central receiver's
  PostgreSQL store (`smartqueue central` with a `postgresql://` database); a branch never needs it.
- `smartqueue-camera` (camera scanners; depends on smartqueue-apps): OpenCV, numpy, pyzbar, zxing-cpp.

A file goes to the package of the first rule its path (relative to the bundle) matches; shared libraries at the
top of `_internal/` go to the lowest package whose files need them (`assign_libraries`). Pure functions, tested
without a build.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

NODE, POSTGRESQL, APPS, CAMERA = "smartqueue", "smartqueue-postgresql", "smartqueue-apps", "smartqueue-camera"
ORDER = (NODE, POSTGRESQL, APPS, CAMERA)
#: Each package's packages it depends on (its files may link to theirs).
BELOW: dict[str, tuple[str, ...]] = {NODE: (), POSTGRESQL: (NODE,), APPS: (NODE,), CAMERA: (NODE, APPS)}

#: Python packages collected as files in their own folder (not into the PYZ archive everyone shares).
SEPARATE_PYTHON_PACKAGES = ("PySide6", "shiboken6", "PIL", "numpy", "cv2", "pyzbar", "zxingcpp", "psycopg",
                            "psycopg_binary")

#: Path prefixes (relative to the bundle) and their package; the first match wins, anything else is the node's.
RULES: tuple[tuple[str, str], ...] = (
    ("_internal/PySide6/", APPS), ("_internal/shiboken6/", APPS), ("_internal/PIL/", APPS),
    ("_internal/pillow.libs/", APPS), ("share/clips/", APPS),
    ("_internal/cv2/", CAMERA), ("_internal/numpy/", CAMERA), ("_internal/numpy.libs/", CAMERA),
    ("_internal/opencv_python_headless.libs/", CAMERA), ("_internal/pyzbar/", CAMERA),
    ("_internal/zxingcpp", CAMERA),
    ("_internal/psycopg/", POSTGRESQL), ("_internal/psycopg_binary/", POSTGRESQL),
    ("_internal/psycopg_binary.libs/", POSTGRESQL),
)
#: distribution metadata folders follow their package.
DIST_INFO: tuple[tuple[str, str], ...] = (
    ("_internal/pyside6", APPS), ("_internal/shiboken6", APPS), ("_internal/pillow", APPS),
    ("_internal/numpy", CAMERA), ("_internal/opencv_python", CAMERA), ("_internal/pyzbar", CAMERA),
    ("_internal/zxing_cpp", CAMERA), ("_internal/psycopg", POSTGRESQL),
)


def package_of(rel: str) -> str | None:
    """The package of a file by its path; None for a top-level shared library (decided by who links to it)."""
    for prefix, package in RULES:
        if rel.startswith(prefix):
            return package
    lowered = rel.lower()
    if lowered.endswith(".dist-info") or ".dist-info/" in lowered:
        for prefix, package in DIST_INFO:
            if lowered.startswith(prefix):
                return package
    name = rel.rsplit("/", 1)[-1]
    if ".cpython-" in name or ".abi3." in name:
        return NODE  # an extension module at the top (_cffi_backend): a root, not a library to place
    if rel.count("/") == 1 and rel.startswith("_internal/") and ".so" in name and not name.startswith("libpython"):
        return None
    return NODE


def assign_libraries(fixed: dict[str, str], libraries: Iterable[str],
                     needed: Callable[[str], Iterable[str]]) -> tuple[dict[str, str], list[str]]:
    """Give each top-level library to the lowest package that (transitively) links to it.

    `fixed`: {path: package} of every other file; `needed(path)`: the sonames it links to. Returns the full
    assignment and the libraries nothing links to (left out of every package).
    """
    by_name = {path.rsplit("/", 1)[-1]: path for path in libraries}
    assignment = dict(fixed)
    for package in ORDER:
        todo = [path for path, owner in fixed.items() if owner == package]
        seen: set[str] = set()
        while todo:
            path = todo.pop()
            if path in seen:
                continue
            seen.add(path)
            for soname in needed(path):
                lib = by_name.get(soname)
                if lib is not None and lib not in assignment:
                    assignment[lib] = package
                    todo.append(lib)
                elif lib is not None and assignment[lib] == package:
                    todo.append(lib)
    unused = sorted(path for path in by_name.values() if path not in assignment)
    return assignment, unused
