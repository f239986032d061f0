"""The [cluster] section: validation, loading, and a node without it behaving as a single node."""

from __future__ import annotations

import pytest

from branch.runner import LocalRunner
from config.cluster import ClusterConfig, cluster_of
from config.loader import ConfigError, load_config
from devtools.cluster_harness import branch_text


def test_a_cluster_section_is_validated_and_loaded(tmp_path):
    path = tmp_path / "node.toml"
    path.write_text(branch_text() + '\n[cluster]\nself_address = "10.0.0.1:4711"\npeers = ["10.0.0.2:4711"]\n'
                    'secret = "a-long-enough-cluster-secret"\n', encoding="utf-8")
    cluster = cluster_of(load_config(path))
    assert cluster is not None and cluster.peers == ["10.0.0.2:4711"] and "secret" not in repr(cluster.secret)
    path.write_text(branch_text() + '\n[cluster]\nself_address = "10.0.0.1:4711"\nsecret = "short"\nbogus = 1\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "cluster.secret" in str(err.value) and "cluster.bogus: unknown key" in str(err.value)


def test_timings_must_make_sense():
    with pytest.raises(ValueError, match="heartbeat_s"):
        ClusterConfig(self_address="a:1", secret="x" * 16, heartbeat_s=0.5, election_timeout_min_s=0.8)
    with pytest.raises(ValueError, match="peers must not list self_address"):
        ClusterConfig(self_address="a:1", peers=["a:1"], secret="x" * 16)


def test_a_node_without_a_cluster_section_runs_alone_as_before(node):
    health = node.http("GET", "/api/v1/health", role=None).json()
    assert health["role"] == "leader" and "cluster" not in health and "term" not in health
    assert isinstance(node.node.commands, LocalRunner) and node.node.is_leader
    calls = []
    node.call(_listen(node.node, calls))
    assert calls == [True]
    assert node.client("kiosk").issue_ticket("cash")["number"] == "C-001"


async def _listen(branch_node, calls):
    branch_node.add_leadership_listener(calls.append)
