"""Root causes from X-Ray segment documents (a ``BatchGetTraces`` trace), the way X-Ray's own analysis does it.

A trace is a tree: segments hold subsegments, and a segment whose ``parent_id`` names a subsegment of another
segment hangs below it (a call into another instrumented service). The root cause of a fault (or error,
throttle) is the deepest flagged node; a downstream call (``namespace`` ``aws`` or ``remote``) that faulted or
errored counts as flagged too, and SDK internals below a downstream call (``attempt``, ``connect``...) are
folded into that call. For ``slow`` the path follows the longest child down to the call that took the time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from tools.common.timewindow import UTC, from_epoch, to_utc
from tools.xray.model import SLOW_SECONDS, Fault, Kind

_DOWNSTREAM = ("aws", "remote")
_RESOURCE_KEYS = ("table_name", "queue_url", "bucket_name", "function_name", "topic_arn", "stream_name")


@dataclass
class Node:
    """One segment or subsegment with its place in the trace tree."""

    doc: dict[str, Any]
    segment: str
    parent: Node | None = None
    depth: int = 0
    children: list[Node] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.doc.get("name", "?"))[:200]

    @property
    def downstream(self) -> bool:
        return self.doc.get("namespace") in _DOWNSTREAM

    @property
    def duration(self) -> float:
        start, end = _number(self.doc.get("start_time")), _number(self.doc.get("end_time"))
        return max(0.0, end - start) if start and end else 0.0

    def flagged(self, kind: Kind) -> bool:
        if self.doc.get(kind) is True:
            return True
        return self.downstream and kind in ("fault", "error") and any(self.doc.get(k) is True for k in ("fault", "error", "throttle"))

    def path(self) -> tuple[str, ...]:
        names: list[str] = []
        node: Node | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return tuple(reversed(names))


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def documents(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The parsed segment documents of a trace; unreadable ones are left out."""
    docs = []
    for segment in trace.get("Segments") or []:
        raw = segment.get("Document") if isinstance(segment, dict) else None
        try:
            doc = json.loads(raw) if isinstance(raw, str) else raw
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(doc, dict):
            docs.append(doc)
    return docs


def build_tree(docs: list[dict[str, Any]]) -> list[Node]:
    """All nodes of the trace (inferred segments left out), with parents and global depths."""
    nodes: list[Node] = []
    by_id: dict[str, Node] = {}

    def add(doc: dict[str, Any], segment: str, parent: Node | None) -> Node:
        node = Node(doc, segment, parent, parent.depth + 1 if parent else 0)
        nodes.append(node)
        if parent:
            parent.children.append(node)
        if isinstance(doc.get("id"), str):
            by_id[doc["id"]] = node
        for sub in doc.get("subsegments") or []:
            if isinstance(sub, dict):
                add(sub, segment, node)
        return node

    roots = [(add(doc, str(doc.get("name", "?"))[:200], None), doc.get("parent_id")) for doc in docs if doc.get("inferred") is not True]
    for node, parent_id in roots:  # hang called services below the subsegment that called them
        parent = by_id.get(parent_id) if isinstance(parent_id, str) else None
        if parent is not None and not _is_ancestor(node, parent):
            node.parent = parent
            parent.children.append(node)
    for node, _ in roots:
        if node.parent is not None:
            _deepen(node, node.parent.depth + 1)
    return nodes


def _is_ancestor(node: Node, other: Node | None) -> bool:
    """Whether ``node`` is ``other`` or above it (hanging it there would make a cycle)."""
    while other is not None:
        if other is node:
            return True
        other = other.parent
    return False


def _deepen(node: Node, depth: int) -> None:
    stack = [(node, depth)]
    while stack:
        current, level = stack.pop()
        current.depth = level
        stack.extend((child, level + 1) for child in current.children)


def _exceptions(nodes: list[Node]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for node in nodes:
        cause = node.doc.get("cause")
        for exc in (cause.get("exceptions") or []) if isinstance(cause, dict) else []:
            if isinstance(exc, dict) and isinstance(exc.get("id"), str):
                found[exc["id"]] = exc
    return found


def _exception_of(node: Node, known: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    cause = node.doc.get("cause")
    if isinstance(cause, str):
        return known.get(cause)
    if isinstance(cause, dict):
        excs = [e for e in cause.get("exceptions") or [] if isinstance(e, dict)]
        if excs:
            return excs[0]
        if cause.get("message"):
            return {"type": "", "message": cause.get("message")}
    return None


def _host(url: Any) -> str:
    text = str(url or "")
    try:
        return urlsplit(text[5:] if text.startswith("jdbc:") else text).hostname or ""
    except ValueError:
        return ""


def describe_downstream(node: Node) -> tuple[str, tuple[str, ...]]:
    """'DynamoDB PutItem table orders' or a remote host, and the resources it names."""
    doc = node.doc
    aws = doc.get("aws") if isinstance(doc.get("aws"), dict) else {}
    resources: list[str] = []
    if doc.get("namespace") == "aws":
        text = " ".join(p for p in (node.name, str(aws.get("operation") or "")) if p)
        for key in _RESOURCE_KEYS:
            value = aws.get(key)
            if isinstance(value, str) and value:
                text += f" {key.split('_')[0]} {value}"
                resources.append(value)
                break
        else:
            names = aws.get("resource_names")
            if isinstance(names, list) and names:
                resources.extend(str(n) for n in names[:3])
        return text, tuple(resources)
    http = doc.get("http") if isinstance(doc.get("http"), dict) else {}
    request = http.get("request") if isinstance(http.get("request"), dict) else {}
    sql = doc.get("sql") if isinstance(doc.get("sql"), dict) else {}
    host = _host(request.get("url")) or _host(sql.get("url")) or node.name
    method = str(request.get("method") or "")
    return (f"{host} {method}".strip() if method else host), (host,)


def _timestamp(docs: list[dict[str, Any]]) -> datetime | None:
    starts = [_number(d.get("start_time")) for d in docs if _number(d.get("start_time"))]
    try:
        return from_epoch(min(starts)) if starts else None
    except ValueError:
        return None


def trace_time(trace_id: str, start: Any = None) -> datetime | None:
    """A given start time, or the epoch seconds encoded in the trace id (``1-<hex seconds>-<random>``)."""
    if isinstance(start, datetime):
        return to_utc(start)
    try:
        return datetime.fromtimestamp(int(trace_id.split("-")[1], 16), tz=UTC)
    except (IndexError, ValueError, OverflowError, OSError):
        return None


def trace_start(trace: dict[str, Any]) -> datetime | None:
    """When the trace began: its earliest segment start, else the time in its id."""
    return start_of(str(trace.get("Id", "")), documents(trace))


def start_of(trace_id: str, docs: list[dict[str, Any]]) -> datetime | None:
    """``trace_start`` from a trace's already parsed documents (see ``documents``)."""
    return _timestamp(docs) or trace_time(trace_id)


def _slow_chain(nodes: list[Node]) -> Node | None:
    roots = [n for n in nodes if n.parent is None]
    if not roots:
        return None
    node = max(roots, key=lambda n: n.duration)
    if node.duration <= SLOW_SECONDS:
        return None
    while node.children and not node.downstream:
        longest = max(node.children, key=lambda n: n.duration)
        if longest.duration < node.duration * 0.5:
            break
        node = longest
    return node


def root_cause(trace: dict[str, Any], kind: Kind) -> Fault | None:
    """The root cause of ``kind`` in one BatchGetTraces trace, or None when the trace has none."""
    return analyse(str(trace.get("Id", "")), documents(trace), kind)


def analyse(trace_id: str, docs: list[dict[str, Any]], kind: Kind) -> Fault | None:
    """``root_cause`` from a trace's already parsed documents (parse each Document string once per trace)."""
    nodes = build_tree(docs)
    known = _exceptions(nodes)
    if kind == "slow":
        target = _slow_chain(nodes)
        exception_node: Node | None = None
    else:
        if not any(n.doc.get(kind) is True for n in nodes):  # the trace must match X-Ray's `<kind> = true`
            return None
        flagged = [n for n in nodes if n.flagged(kind)]
        deepest = max(flagged, key=lambda n: (n.depth, bool(_exception_of(n, known))))
        exception_node = deepest
        target = deepest
        probe: Node | None = deepest
        while probe is not None and probe.segment == deepest.segment:  # fold SDK internals into the call
            if probe.downstream:
                target = probe
                break
            probe = probe.parent
    if target is None:
        return None
    exc = _first_exception(exception_node, known) if exception_node is not None else None
    downstream, resources = describe_downstream(target) if target.downstream else ("", ())
    return Fault(
        trace_id=trace_id,
        time=_timestamp(docs),
        service=target.segment,
        entity_path=target.path(),
        exception=_exception_name(exc, target, kind),
        message=str((exc or {}).get("message") or "")[:1000],
        downstream=downstream,
        resources=resources + ((target.segment,) if target.segment not in resources else ()),
    )


def _first_exception(start: Node, known: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The exception of ``start`` or, failing that, of its ancestors in the same segment."""
    node: Node | None = start
    while node is not None and node.segment == start.segment:
        exc = _exception_of(node, known)
        if exc:
            return exc
        node = node.parent
    return None


def _exception_name(exc: dict[str, Any] | None, node: Node, kind: Kind) -> str:
    if kind == "slow":
        return f"slow (> {SLOW_SECONDS} s)"
    if exc and (exc.get("type") or exc.get("name")):
        return str(exc.get("type") or exc.get("name"))[:200]
    http = node.doc.get("http") if isinstance(node.doc.get("http"), dict) else {}
    response = http.get("response") if isinstance(http.get("response"), dict) else {}
    if response.get("status"):
        return f"HTTP {response['status']}"
    return f"{kind} (no exception recorded)"
