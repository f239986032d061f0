"""python-escpos, imported without leaving anything behind: the only module that imports it (STYLE.md habit 11).

python-escpos 3.1 caches its capabilities database (a ~300 ms YAML parse) as a pickle in
``$ESCPOS_CAPABILITIES_PICKLE_DIR``, else in a fresh ``tempfile.mkdtemp()`` folder. It calls ``mkdtemp()`` on
import even when the variable is set (it is the default argument of ``environ.get``), so every process that loaded
it left one folder in the temp dir: 28 after one round of diagnostics. Its import also calls
``logging.basicConfig()``, which would put a handler on the root logger before ours.

So the import runs once, here, with ``tempfile.mkdtemp`` answering our own cache folder without creating anything
and ``logging.basicConfig`` a no-op. The cache folder is ``$XDG_CACHE_HOME/smartqueue/escpos`` (``~/.cache/...``;
the kiosk's systemd unit sets ``/var/cache/smartqueue``), private to the user, so the pickle is reused across runs
and nobody else can plant one. Without a writable home the pickle goes to a private temporary folder removed right
after the import (the database is only read while importing). Both patches are undone before the import returns.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

_IMPORT_LOCK = threading.Lock()


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Where the capabilities pickle lives: the configured folder, else the user's cache; None if not writable."""
    configured = environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
    if configured:
        return Path(configured)
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "smartqueue" / "escpos"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK | os.X_OK) else None


@contextlib.contextmanager
def _quiet_import(folder: str) -> Iterator[None]:
    """Patch what python-escpos' capabilities module calls at import time; restore it afterwards."""
    original_mkdtemp, original_basic_config = tempfile.mkdtemp, logging.basicConfig
    tempfile.mkdtemp = lambda *args, **kwargs: folder  # type: ignore[assignment]
    logging.basicConfig = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        tempfile.mkdtemp, logging.basicConfig = original_mkdtemp, original_basic_config


def _import_escpos() -> None:
    with _IMPORT_LOCK:
        folder = cache_dir()
        scratch = None if folder is not None else tempfile.mkdtemp(prefix="smartqueue-escpos-")
        target = str(folder) if folder is not None else str(scratch)
        try:
            with _quiet_import(target):
                # the variable wins over mkdtemp in python-escpos; set it for this import only
                previous = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
                os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = target
                try:
                    import escpos.capabilities  # noqa: F401
                finally:
                    if previous is None:
                        del os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"]
                    else:
                        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = previous
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)


_import_escpos()

# Re-exported for the layout (and the tests' independent encoder); nothing else imports python-escpos.
from escpos.constants import (  # noqa: E402
    CODEPAGE_CHANGE,
    PAPER_FULL_CUT,
    PAPER_PART_CUT,
    QR_ECLEVEL_M,
)
from escpos.exceptions import Error as EscposError  # noqa: E402
from escpos.printer import Dummy  # noqa: E402

__all__ = ["CODEPAGE_CHANGE", "PAPER_FULL_CUT", "PAPER_PART_CUT", "QR_ECLEVEL_M", "Dummy", "EscposError", "cache_dir"]
