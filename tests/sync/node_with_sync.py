"""A node process with its SyncService, as `smartqueue node` will run it once sync is wired into BranchNode.

python -m tests.sync.node_with_sync DATA_DIR BROKER_PORT  (prints "ready <http port>" once serving)
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from branch.node import BranchNode
from config.sync import SyncConfig
from sync.service import SyncService
from tests.branch.conftest import example_config


async def main(data_dir: Path, broker_port: int) -> None:
    node = BranchNode(example_config(), data_dir)
    port = await node.start("127.0.0.1", 0, advertise=False)
    service = SyncService(node, SyncConfig(enabled=True, host="127.0.0.1", port=broker_port, keepalive_s=5,
                                           reconnect_min_s=0.1, reconnect_max_s=0.5, client_id="sq-proc-BR042"))
    await service.start()
    print(f"ready {port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    await service.stop()
    await node.stop()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
