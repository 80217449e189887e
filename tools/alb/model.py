"""The ALB tool's data model: the optional ``Filters`` of a call and the ``Answer`` a backend returns (the summary
rows the engine aggregated, and where they came from).

Both backends (Athena and the snapshot's DuckDB) run the same SQL (``tools.alb.sql``) and return an ``Answer``, so
``tools.alb.digest`` is shared.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Filters:
    """The optional filters of a call, already normalised (see ``service.parse_filters``)."""

    load_balancer: str | None = None  # 'app/name/id' or a bare name
    path_prefix: str | None = None
    status_class: str | None = None  # '2xx' .. '5xx'


@dataclass
class Answer:
    """What a backend returns: the summary rows plus where they came from (for notes and evidence links)."""

    rows: list[dict[str, object]]
    link: str | None  # the Athena query execution; None in snapshot mode (no query ran in the account)
    complete: bool = True
    query_execution_id: str | None = None
    bytes_scanned: int | None = None
    lines: int | None = None  # snapshot mode: lines read
    malformed: int = 0  # snapshot mode: lines the regex rejected
    notes: list[str] = field(default_factory=list)
