"""Run inside a private network namespace (see test_zeroconf.py): advertise a node, find it, follow it.

python-zeroconf binds 0.0.0.0:5353 whatever interface it is given, so this must never run on the host network.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import threading
import time
from pathlib import Path

from branch.devices import register_device
from branch.node import BranchNode
from branch.server import NodeServer
from nodeclient.client import NodeClient
from nodeclient.discovery import ZeroconfDiscovery
from tests.branch.conftest import example_config


def main(data_dir: Path) -> None:
    config = example_config(advertise=True, interfaces=["127.0.0.1"])
    loop = asyncio.new_event_loop()
    holder: dict = {}
    ready = threading.Event()

    def serve() -> None:
        async def boot() -> None:
            node = BranchNode(config, data_dir)
            holder["node"] = node
            holder["token"] = register_device(node.store, "display", None, "probe", "probe")[1]
            holder["started"] = time.monotonic()
            holder["server"] = NodeServer(node)
            await holder["server"].start("127.0.0.1", 0)
            ready.set()

        loop.run_until_complete(boot())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(20)
    node = holder["node"]
    discovery = ZeroconfDiscovery("BR042", interfaces=["127.0.0.1"])
    other_branch = ZeroconfDiscovery("BR999", interfaces=["127.0.0.1"])
    discovery.start()
    other_branch.start()
    began = time.monotonic()
    found = discovery.wait(timeout=10)
    found_s = time.monotonic() - began
    client = NodeClient(holder["token"], discovery=discovery, timeout=3)
    health = client.health()
    result = {
        "found": [dataclasses.asdict(c) for c in found],
        "found_s": round(found_s, 2),
        "node_id": node.node_id,
        "port": node.port,
        "health_node": health["node_id"],
        "other_branch": len(other_branch.candidates()),
    }
    client.close()
    discovery.close()
    other_branch.close()
    asyncio.run_coroutine_threadsafe(holder["server"].stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    print(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
