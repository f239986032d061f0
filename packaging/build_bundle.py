"""Build the one-folder bundle: `python packaging/build_bundle.py [--dist DIR] [--work DIR]`.

Steps: generate the display's voice clips (espeak-ng, a few seconds; clips are never committed), run PyInstaller on
`smartqueue.spec`, add the clips and the example configurations beside the executable under `share/`, and write
`BUILD-INFO.json` (versions; read by `smartqueue support-bundle`). Prints the bundle's size and the build time.

Runs the same way on Windows (`python packaging\\build_bundle.py`); espeak-ng is optional there.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NAME = "smartqueue"


def tree_size(path: Path) -> int:
    """Bytes on disk of every regular file under `path` (symlinks not followed)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def drop_dangling_links(bundle: Path) -> int:
    """PyInstaller adds top-level symlinks for every Qt library it saw, including those the spec pruned."""
    dangling = [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    for path in dangling:
        path.unlink()
    return len(dangling)


def strip_builder_paths(bundle: Path) -> tuple[int, int]:
    """Remove the builder's absolute RUNPATH entries (a pyenv's lib folder on libpython and its extension modules:
    the installed program must never look there) and debug sections (libpython: 23 → 5 MB). `$ORIGIN` entries, which
    wheels use to find their own libraries, stay. Returns (files whose RUNPATH changed, files stripped)."""
    sys.path.insert(0, str(HERE))
    import debian_libs

    runpaths = stripped = 0
    for path in sorted(bundle.rglob("*")):
        if not debian_libs.is_elf(path):
            continue
        entries = debian_libs.elf_runpath(path)
        kept = [entry for entry in entries if entry.startswith("$ORIGIN")]
        if kept != entries:
            args = ["--set-rpath", ":".join(kept)] if kept else ["--remove-rpath"]
            subprocess.run(["patchelf", *args, str(path)], check=True)
            runpaths += 1
        sections = subprocess.run(["objdump", "-h", str(path)], capture_output=True, text=True).stdout
        if ".debug_info" in sections:
            subprocess.run(["strip", "--strip-debug", str(path)], check=True)
            stripped += 1
    return runpaths, stripped


def make_clips(out: Path) -> bool:
    """The display's clips, from the display package's own generator; False when espeak-ng is missing."""
    if shutil.which("espeak-ng") is None:
        print("build_bundle: espeak-ng not found: the bundle ships without voice clips", file=sys.stderr)
        return False
    subprocess.run([sys.executable, "-m", "display.clips", "--out", str(out)], cwd=ROOT, check=True)
    return True


def run_pyinstaller(dist: Path, work: Path) -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(HERE / f"{NAME}.spec")],
                   cwd=ROOT, check=True)


def versions() -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    import PySide6

    from ground.version import VERSION as __version__

    revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"smartqueue": __version__, "git": revision.stdout.strip() or "unknown",
            "python": platform.python_version(), "pyside6": PySide6.__version__, "build_os": platform.platform(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(source_date_epoch()))}


def source_date_epoch() -> int:
    """The build's time stamp: SOURCE_DATE_EPOCH, else the last commit's time (reproducible builds)."""
    import os

    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True)
    return int(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else int(time.time())


def build(dist: Path, work: Path, *, clips: bool = True) -> Path:
    started = time.monotonic()
    bundle = dist / NAME
    share_clips = work / "clips"
    have_clips = clips and make_clips(share_clips)
    run_pyinstaller(dist, work)
    drop_dangling_links(bundle)
    runpaths, stripped = strip_builder_paths(bundle)
    print(f"build_bundle: builder RUNPATH removed from {runpaths} files, debug sections from {stripped}")
    share = bundle / "share"
    if have_clips:
        shutil.copytree(share_clips, share / "clips", dirs_exist_ok=True)
    shutil.copytree(ROOT / "config" / "examples", share / "examples", dirs_exist_ok=True)
    (bundle / "BUILD-INFO.json").write_text(json.dumps(versions(), indent=2) + "\n", encoding="utf-8")
    elapsed = time.monotonic() - started
    print(f"bundle: {bundle}  {tree_size(bundle) / 1e6:.1f} MB  built in {elapsed:.1f} s")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (bundle: DIST/smartqueue)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller work folder")
    parser.add_argument("--no-clips", action="store_true", help="skip the voice clips (faster; the display is mute)")
    args = parser.parse_args(argv)
    build(args.dist.resolve(), args.work.resolve(), clips=not args.no_clips)
    return 0


if __name__ == "__main__":
    sys.exit(main())
