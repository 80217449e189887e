"""The source registry: the one place a data source is registered.

Adding a source is one folder (``tools/<name>/`` with a ``source.py`` declaring a ``SourceSpec``, a service and
a handler) plus one line in ``REGISTERED`` below. Everything else reads the registry: the catalogue
(``tools.catalogue``), the configuration schema and defaults (``tools.common.config``), evidence id prefixes
(``tools.common.evidence``), snapshot folders (``tools.common.snapshot``), triage's fan-out and report sources
(``tools.triage.fanout``), IAM policies (``infra.policies``), ``record`` and the offline planner.

Consumers look the registry up when they run (``sources.REGISTRY``), never copy it at import time, so a test can
register a toy source with ``monkeypatch.setattr(sources, "REGISTRY", sources.REGISTRY.with_source(spec))``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tools.alb.source import SOURCE as ALB
from tools.cloudtrail.source import SOURCE as CLOUDTRAIL
from tools.common.function import Function
from tools.common.source import Feed, SourceSpec
from tools.findings.source import SOURCE as FINDINGS
from tools.logs.source import SOURCE as LOGS
from tools.metrics.source import SOURCE as METRICS
from tools.xray.source import SOURCE as XRAY

REGISTERED: tuple[SourceSpec, ...] = (LOGS, ALB, CLOUDTRAIL, METRICS, XRAY, FINDINGS)


@dataclass(frozen=True)
class Registry:
    """The registered sources, in catalogue order, and the lookups everything else needs."""

    sources: tuple[SourceSpec, ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.sources]
        feeds = [f.name for f in self.feeds()]
        prefixes = [f.prefix for f in self.feeds()]
        for what, values in (("source name", names), ("feed name", feeds), ("evidence prefix", prefixes)):
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(f"registry: {what} registered twice: {repeated}")

    def __iter__(self) -> Iterator[SourceSpec]:
        return iter(self.sources)

    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sources)

    def get(self, name: str) -> SourceSpec | None:
        return next((s for s in self.sources if s.name == name), None)

    def feeds(self) -> tuple[Feed, ...]:
        """Every report source (triage report ``sources`` keys, evidence sources, snapshot folders), in order."""
        return tuple(feed for source in self.sources for feed in source.feeds)

    def feed(self, name: str) -> Feed | None:
        return next((f for f in self.feeds() if f.name == name), None)

    def functions(self) -> tuple[Function, ...]:
        return tuple(f for source in self.sources for f in source.functions)

    def with_source(self, source: SourceSpec) -> Registry:
        """This registry plus one more source (tests register toy sources this way)."""
        return Registry((*self.sources, source))


BUILT_IN = Registry(REGISTERED)
REGISTRY = BUILT_IN


def registry() -> Registry:
    """The registry in force now (looked up on each call, so a test's replacement is seen everywhere)."""
    return REGISTRY
