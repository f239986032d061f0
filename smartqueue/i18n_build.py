"""`make catalogs`: extract messages (Python `_`/`N_`/`translate`, QML `qsTr`) and update every language's .po.

New messages arrive untranslated in each .po; a test fails until fr and ar translate them.
"""

from __future__ import annotations

import argparse
import fcntl
import io
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ground.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("smartqueue", "hardware", "kiosk", "display", "agent_keypad", "appkit", "branch", "sync", "commissioning")
KEYWORDS = {"_": None, "N_": None, "gettext": (2,), "translate": (2,), "translate_embedding": (2,),
            "ngettext": (2, 3), "qsTr": None,
            "tr": None}
METHODS = [("**.py", "python"), ("**.qml", "javascript")]


def extract() -> Catalog:
    template = Catalog(project="SmartQueue Edge", domain=DOMAIN)
    for package in PACKAGES:
        folder = ROOT / package
        if not folder.exists():
            continue
        for filename, lineno, message, comments, _context in extract_from_dir(
                folder, METHODS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
            template.add(message, None, [(f"{package}/{filename}", lineno)], auto_comments=comments)
    return template


def update(template: Catalog) -> None:
    for language in LANGUAGES:
        path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, domain=DOMAIN, project="SmartQueue Edge")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False  # a fuzzy header would drop the charset and plural rules from the catalog
        with path.open("wb") as handle:
            write_po(handle, catalog, width=120, omit_header=False, sort_output=True)


def merge(path: Path) -> int:
    """Set translations from a JSON file {"English msgid": {"fr": "...", "ar": "..."}}; returns how many."""
    table = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for language in LANGUAGES:
        po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for message in catalog:
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            wanted = table.get(key, {}).get(language)
            if wanted is None:
                continue
            message.string = tuple(wanted) if isinstance(message.id, tuple) else wanted
            message.flags.discard("fuzzy")
            count += 1
        with po.open("wb") as handle:
            write_po(handle, catalog, width=120, omit_header=False, sort_output=True)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--merge", type=Path, action="append", default=[],
                        help='JSON {"msgid": {"fr": "...", "ar": "..."}} to apply after extraction')
    args = parser.parse_args(argv)
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    # several people (or helpers) may run this at once: one at a time, read-modify-write under a lock
    with (LOCALE_DIR / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        template = extract()
        buffer = io.BytesIO()
        write_po(buffer, template, width=120, sort_output=True)
        (LOCALE_DIR / "messages.pot").write_bytes(buffer.getvalue())
        update(template)
        merged = sum(merge(path) for path in args.merge)
    print(f"{len(template)} messages extracted into {LOCALE_DIR}; {merged} translations merged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
