"""A real node for the Xvfb keypad/display runs: tokens written to OUT/tokens.json; runs until SIGTERM."""
import json, signal, sys, threading
from pathlib import Path
from tests.branch.conftest import start_node, stop_node, example_config

out = Path(sys.argv[1]); out.mkdir(parents=True, exist_ok=True)
port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
running = start_node(out / "node", port=port, register=not (out / "tokens.json").exists())
tokens = running.tokens or json.loads((out / "tokens.json").read_text())["tokens"]
(out / "tokens.json").write_text(json.dumps({"url": running.url, "tokens": tokens}))
for role, tok in tokens.items():
    (out / f"{role}.token").write_text(tok)
print("node at", running.url, flush=True)
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: done.set())
signal.signal(signal.SIGINT, lambda *a: done.set())
done.wait()
stop_node(running)
