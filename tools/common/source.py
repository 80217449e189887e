"""What a data source declares about itself: the type of the source registry (``tools.sources``).

Each ``tools/<source>/source.py`` exports one ``SourceSpec``; ``tools/sources.py`` lists them, and everything
that used to keep its own list of sources loops over that one list instead: the function catalogue, the
configuration schema and its defaults, evidence id prefixes, snapshot folders, IAM policies, triage's fan-out
and its report's source enum, ``record``, and the offline planner.

A source (one action group, one configuration section) may feed several *report sources*: the findings tool
reads Security Hub and GuardDuty, each with its own evidence prefix, snapshot folder and report entry. A
``Feed`` is one of those.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tools.common import config_schema as cs
from tools.common.function import Function

Section = Mapping[str, Any]
"""One validated configuration section (defaults filled in)."""
Statement = dict[str, Any]
"""One IAM policy statement."""


class Grants(Protocol):
    """What the infrastructure offers a source to state its IAM needs (``infra.policies`` implements it), so a
    source declares its permissions without importing the infrastructure code."""

    def statement(self, sid: str, actions: tuple[str, ...] | list[str], resources: str | list[str],
                  conditions: dict[str, Any] | None = None) -> Statement: ...

    def arn(self, service: str, resource: str) -> str:
        """An ARN of the stack's account and region."""
        ...

    def log_group_arn(self, name: str) -> str: ...

    def athena_table(self, table: str, bucket: str, prefix: str, service: str, sid: str, organization_id: str = "",
                     log_key_arn: str = "") -> list[Statement]:
        """Query one Glue table over the ``service`` logs in S3 through the project's Athena workgroup."""
        ...


def _always(section: Section) -> bool:
    return True


@dataclass(frozen=True)
class Feed:
    """One report source: its name (also its snapshot folder), evidence id prefix and snapshot file endings."""

    name: str
    label: str
    prefix: str
    suffixes: tuple[str, ...]
    bare_names: bool = False  # files without any suffix belong to the feed too (ELB writes such names)
    enabled: Callable[[Section], bool] = _always  # within an enabled source (findings: one switch per product)

    def matches(self, file_name: str) -> bool:
        plain = file_name[:-3] if file_name.endswith(".gz") else file_name
        return plain.endswith(self.suffixes) or (self.bare_names and "." not in plain)


@dataclass(frozen=True)
class TriageTask:
    """The call triage makes to this source in an investigation: a function and its parameters for a focus."""

    function: str
    params: Callable[[str | None], dict[str, Any]] = field(default=lambda focus: {})


def _no_statements(section: Section, grants: Grants) -> list[Statement]:
    return []


def _no_prerequisite(section: Section) -> str | None:
    return None


def _never(section: Section) -> bool:
    return False


@dataclass(frozen=True)
class SourceSpec:
    """One data source: its action group, functions, report feeds, configuration section, IAM needs and triage
    task. ``name`` is the action group, the configuration section and the package under ``tools/``."""

    name: str
    label: str
    description: str
    functions: tuple[Function, ...]
    feeds: tuple[Feed, ...]
    config: dict[str, Any]
    iam: Callable[[Section, Grants], list[Statement]] = _no_statements
    triage: TriageTask | None = None
    prerequisite: Callable[[Section], str | None] = _no_prerequisite
    """Why the source cannot run against AWS with this configuration although it is enabled (None: it can)."""
    module: str = ""
    """The package holding ``service.py`` and ``handler.py``; default ``tools.<name>``."""
    athena: Callable[[Section], bool] = _never
    """Whether this configuration reads the source through Athena (the stack then declares its Glue table)."""
    drill_down: str = ""
    """The function that returns the raw records behind this source's evidence (empty: none)."""

    @property
    def package(self) -> str:
        return self.module or f"tools.{self.name}"

    def enabled(self, config: Mapping[str, Section]) -> bool:
        """The configuration switch: ``[<name>] enabled`` and at least one enabled feed."""
        section = config[self.name]
        return bool(section.get("enabled", True)) and any(feed.enabled(section) for feed in self.feeds)

    def reads_athena(self, config: Mapping[str, Section]) -> bool:
        """Enabled and configured to read through Athena (``athena``)."""
        return self.enabled(config) and self.athena(config[self.name])

    def enabled_feeds(self, config: Mapping[str, Section]) -> tuple[Feed, ...]:
        if not self.enabled(config):
            return ()
        return tuple(feed for feed in self.feeds if feed.enabled(config[self.name]))

    def unavailable(self, config: Mapping[str, Section], snapshot: Any = None) -> str | None:
        """Why this source cannot answer here (turned off, not in the snapshot, not set up), or None."""
        if not self.enabled(config):
            if "enabled" in self.config["properties"]:
                return f"{self.label} is turned off in the configuration ([{self.name}] enabled = false)."
            switches = " and ".join(f"{f.name} = false" for f in self.feeds)
            return f"{self.label} is turned off in the configuration ([{self.name}] {switches})."
        if snapshot is not None:
            if not any(snapshot.has(feed.name) for feed in self.feeds):
                folders = " or ".join(f"{feed.name}/" for feed in self.feeds)
                return f"This snapshot has no {folders} folder: {self.label} is not part of it."
            return None
        return self.prerequisite(config[self.name])


def one_feed_source(feed: Feed, description: str, functions: tuple[Function, ...], settings: dict[str, Any],
                    **declared: Any) -> SourceSpec:
    """A source with one report feed (the source's name and label) and an ``enabled`` switch, as most are: the
    declaration states only what differs (the feed, functions, further settings, IAM needs, triage task, ...)."""
    return SourceSpec(name=feed.name, label=feed.label, description=description, functions=functions, feeds=(feed,),
                      config=cs.section({"enabled": cs.prop(cs.BOOLEAN, True), **settings}), **declared)
