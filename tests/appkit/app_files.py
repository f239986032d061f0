"""An app's example configuration written as a real file, pointed at a test node (a reload reads the file again)."""

from __future__ import annotations

import re
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"


def app_file(root: Path, role: str, token: str, node_url: str | None) -> Path:
    """`root/<role>.toml` from the example, its data in `root/<role>/`; no `node_url`: find the node by zeroconf."""
    folder = root / role
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "token").write_text(token + "\n", encoding="utf-8")
    text = (EXAMPLES / f"{role}.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^node_url = .*$', f'node_url = "{node_url}"' if node_url else "", text)
    for key, value in (("data_dir", folder), ("token_file", folder / "token"), ("output_dir", folder / "printed")):
        text = re.sub(rf'{key} = "var/{role}[^"]*"', f'{key} = "{value}"', text)
    path = root / f"{role}.toml"
    path.write_text(text, encoding="utf-8")
    return path
