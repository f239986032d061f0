"""A tiny Prometheus text exposition (no client library needed for a handful of series)."""

from __future__ import annotations

import bisect
from collections import defaultdict

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def _labels(labels: tuple[tuple[str, str], ...]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
                     for k, v in labels)
    return "{" + inner + "}"


class Registry:
    def __init__(self) -> None:
        self.counters: dict[str, dict[tuple, float]] = defaultdict(lambda: defaultdict(float))
        self.histograms: dict[str, dict[tuple, list]] = defaultdict(dict)
        self.help: dict[str, tuple[str, str]] = {}

    def describe(self, name: str, kind: str, text: str) -> None:
        self.help[name] = (kind, text)

    def inc(self, name: str, value: float = 1.0, **labels: str) -> None:
        self.counters[name][tuple(sorted(labels.items()))] += value

    def observe(self, name: str, value: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        hist = self.histograms[name].setdefault(key, [[0] * len(BUCKETS), 0, 0.0])
        index = bisect.bisect_left(BUCKETS, value)
        if index < len(BUCKETS):
            hist[0][index] += 1
        hist[1] += 1
        hist[2] += value

    def render(self, gauges: dict[str, list[tuple[dict[str, str], float]]]) -> str:
        lines: list[str] = []

        def head(name: str, default_kind: str) -> None:
            kind, text = self.help.get(name, (default_kind, name))
            lines.append(f"# HELP {name} {text}")
            lines.append(f"# TYPE {name} {kind}")

        for name, series in sorted(self.counters.items()):
            head(name, "counter")
            lines += [f"{name}{_labels(k)} {v:g}" for k, v in sorted(series.items())]
        for name, series in sorted(self.histograms.items()):
            head(name, "histogram")
            for key, (counts, total, summed) in sorted(series.items()):
                running = 0
                for bound, count in zip(BUCKETS, counts, strict=True):
                    running += count
                    lines.append(f"{name}_bucket{_labels((*key, ('le', f'{bound:g}')))} {running}")
                lines.append(f"{name}_bucket{_labels((*key, ('le', '+Inf')))} {total}")
                lines.append(f"{name}_count{_labels(key)} {total}")
                lines.append(f"{name}_sum{_labels(key)} {summed:.6f}")
        for name, series in sorted(gauges.items()):
            head(name, "gauge")
            lines += [f"{name}{_labels(tuple(sorted(labels.items())))} {value:g}" for labels, value in series]
        return "\n".join(lines) + "\n"
