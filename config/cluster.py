"""The [cluster] section: several nodes of one branch, one elected leader (Raft through pysyncobj, issue 8).

Without this section a node runs alone exactly as before. Every node of a branch uses the same configuration file
except `self_address` (and the [node] host/port/data_dir); `peers` is only the *initial* membership: later changes
(`smartqueue node cluster add/remove`, `force-single`) are kept in the Raft state of each node.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, model_validator

from config.base import Section

RaftAddress = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:\[\]-]+:[0-9]{1,5}$")]


class ClusterConfig(Section):
    self_address: RaftAddress = Field(description="This node's Raft address host:port, as its peers reach it.")
    peers: list[RaftAddress] = Field(default_factory=list, max_length=8,
                                     description="The other voting members' Raft addresses (initial membership).")
    secret: SecretStr = Field(min_length=16, description="Shared by every member: encrypts the Raft traffic and "
                                                         "signs agent sessions (same key on every node).")
    bind_address: RaftAddress | None = Field(None, description="Listen address if not self_address (NAT).")
    api_url: str | None = Field(None, pattern=r"^https?://",
                                description="How clients reach this node's LAN API (leader hint); default from "
                                            "self_address's host and the API port.")
    witness: bool = Field(False, description="A vote-only member: replicates, never stays leader, refuses writes.")
    election_timeout_min_s: float = Field(0.8, gt=0.05, le=30)
    election_timeout_max_s: float = Field(1.6, gt=0.05, le=60)
    heartbeat_s: float = Field(0.1, gt=0.005, le=5, description="appendEntriesPeriod.")
    leader_fallback_s: float = Field(1.5, gt=0.1, le=60,
                                     description="A leader without answers from a majority this long steps down.")
    connection_timeout_s: float = Field(2.0, gt=0.1, le=60)
    connection_retry_s: float = Field(0.5, gt=0.05, le=60)
    fast_failover: bool = Field(True, description="A follower whose connection to the leader closes starts an "
                                                  "election within 50-250 ms instead of its election timeout.")
    commit_timeout_s: float = Field(5.0, gt=0.1, le=120,
                                    description="A write not committed by then answers 503 (the client retries).")
    log_compaction_entries: int = Field(5000, ge=100, le=10_000_000,
                                        description="Raft log entries kept before a full dump (SQLite backup).")

    @model_validator(mode="after")
    def _sane(self) -> ClusterConfig:
        if self.election_timeout_min_s >= self.election_timeout_max_s:
            raise ValueError("election_timeout_min_s must be below election_timeout_max_s")
        if self.heartbeat_s * 3 > self.election_timeout_min_s:
            raise ValueError("heartbeat_s must be at most a third of election_timeout_min_s")
        if self.self_address in self.peers:
            raise ValueError("peers must not list self_address")
        if len(set(self.peers)) != len(self.peers):
            raise ValueError("peers lists an address twice")
        return self


def cluster_of(config) -> ClusterConfig | None:
    return getattr(config, "cluster", None)
