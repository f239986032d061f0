"""The LAN API fuzzed from its own OpenAPI document by schemathesis (an independent party): every operation, with
every role's token, an agent session and no token, in the coverage, fuzzing and stateful (links) phases. Any 5xx,
any answer that does not conform to the document (status, content type, schema, headers, Allow on 405), any
schema-invalid request accepted fails the test.

Left to tests/branch/test_stream.py: GET /api/v1/events, an endless stream a fuzzer's request would wait on.
Not checked: positive_data_acceptance (a valid body for a service that does not exist is rightly a 404).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from branch.devices import register_device
from tests.branch.conftest import start_node, stop_node

ROOT = Path(__file__).resolve().parents[2]


def test_schemathesis_finds_nothing_across_the_whole_api_for_every_role(tmp_path: Path):
    node = start_node(tmp_path / "node")
    try:
        session = node.agent("alice", "1234", counter="1").token
        tokens = ["", *node.tokens.values(), session]
        spares = ["", session, *(node.call(node.node.write(
            lambda r=role, c=counter: register_device(node.node.store, r, c, f"spare {r}")))[1]
            for role, counter in (("kiosk", None), ("display", None), ("keypad", "2"), ("admin", None),
                                  ("metrics", None)))]
        env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.branch.fuzz_roles", "SQ_FUZZ_TOKENS": json.dumps(tokens),
               "SQ_FUZZ_SPARE_TOKENS": json.dumps(spares), "PYTHONPATH": str(ROOT)}
        st = Path(sys.executable).with_name("st")
        result = subprocess.run(
            [str(st), "run", node.url + "/api/v1/openapi.json", "--checks", "all",
             "--exclude-checks", "positive_data_acceptance", "--exclude-path", "/api/v1/events",
             "--max-examples", "5", "--seed", "13", "--workers", "1", "--request-timeout", "5",
             "--suppress-health-check", "all", "--no-color"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    finally:
        stop_node(node)
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
    assert " passed" in result.stdout
