"""The node's Prometheus metrics, through `prometheus_client` (the only module that imports it).

Counters and histograms are registered on first use in a registry of the node's own (never the process-wide
default, so two nodes in one test process do not share series). Gauges that are read from live state (waiting
tickets, event seq, SSE subscribers) are sampled when /metrics is scraped, by a collector, not kept up to date.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

EXPOSITION_TYPE = CONTENT_TYPE_LATEST
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

#: name → [(labels, value)]: what a scrape samples from live state
Gauges = dict[str, list[tuple[dict[str, str], float]]]


class _Sampled(Collector):
    def __init__(self, sample: Callable[[], Gauges], help_text: dict[str, str]) -> None:
        self._sample, self._help = sample, help_text

    def collect(self):
        for name, series in sorted(self._sample().items()):
            names = sorted({key for labels, _ in series for key in labels})
            family = GaugeMetricFamily(name, self._help.get(name, name), labels=names)
            for labels, value in series:
                family.add_metric([labels.get(key, "") for key in names], value)
            yield family


class Registry:
    def __init__(self) -> None:
        self._registry = CollectorRegistry(auto_describe=True)
        self._help: dict[str, tuple[str, str]] = {}
        self._counters: dict[str, Counter] = {}
        self._histograms: dict[str, Histogram] = {}
        self._gauges: Callable[[], Gauges] = dict

    def describe(self, name: str, kind: str, text: str) -> None:
        self._help[name] = (kind, text)

    def inc(self, name: str, value: float = 1.0, **labels: str) -> None:
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = Counter(
                name.removesuffix("_total"), self._text(name), sorted(labels), registry=self._registry)
        (counter.labels(**labels) if labels else counter).inc(value)

    def observe(self, name: str, value: float, **labels: str) -> None:
        histogram = self._histograms.get(name)
        if histogram is None:
            histogram = self._histograms[name] = Histogram(
                name, self._text(name), sorted(labels), buckets=BUCKETS, registry=self._registry)
        (histogram.labels(**labels) if labels else histogram).observe(value)

    def sample_gauges(self, sample: Callable[[], Gauges]) -> None:
        """Gauges read from live state at each scrape."""
        self._registry.register(_Sampled(sample, {n: t for n, (_, t) in self._help.items()}))

    def render(self) -> bytes:
        """The text exposition format (version 0.0.4)."""
        return generate_latest(self._registry)

    def _text(self, name: str) -> str:
        return self._help.get(name, ("", name))[1]
