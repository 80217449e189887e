"""Where runbooks and past incidents live: the knowledge bucket in AWS (``OPSAGENT_KNOWLEDGE_BUCKET``: objects
``runbooks/*.md`` and ``incidents/*.json``), or local folders offline (the repository's ``runbooks/``, and past
incidents in ``OPSAGENT_INCIDENTS_DIR`` when set). The index is built once per container and refreshed after
``CACHE_SECONDS``.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from urllib.parse import quote

from tools.knowledge.incidents import PastIncident, object_name
from tools.knowledge.index import Document, Index
from tools.knowledge.runbooks import Runbook, RunbookError, load_folder, parse, repository_folder

CACHE_SECONDS = 300.0
"""A new runbook or incident is searchable within five minutes in a warm Lambda."""
MAX_INCIDENTS = 200
"""The most recent past incidents loaded (by object name, which starts with the date)."""
READ_THREADS = 8
RUNBOOK_PREFIX = "runbooks/"
INCIDENT_PREFIX = "incidents/"


@dataclass
class Knowledge:
    runbooks: list[Runbook] = field(default_factory=list)
    incidents: list[PastIncident] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    index: Index | None = None


def _bucket() -> str:
    return os.environ.get("OPSAGENT_KNOWLEDGE_BUCKET", "")


def runbook_link(name: str, base_url: str = "", bucket: str = "", region: str = "") -> str:
    """Where an engineer reads the runbook: the configured base URL, the S3 console object, or the repo path."""
    if base_url:
        return base_url.rstrip("/") + "/" + quote(name) + ".md"
    if bucket:
        return (f"https://s3.console.aws.amazon.com/s3/object/{bucket}?region={region or 'us-east-1'}"
                f"&prefix={RUNBOOK_PREFIX}{quote(name)}.md")
    return f"runbooks/{name}.md"


def _documents(runbooks: list[Runbook], incidents: list[PastIncident]) -> list[Document]:
    docs = [Document("runbook", r.name, r.title, ", ".join(r.symptoms), ", ".join(r.services), r.body, r.link,
                     {"owner": r.owner}) for r in runbooks]
    docs += [Document("incident", i.id, i.title, " ".join(i.templates + i.changes), ", ".join(i.services),
                      " ".join(i.resources), "", {"date": i.date, "confidence": i.confidence}) for i in incidents]
    return docs


def _load_local(base_url: str) -> Knowledge:
    folder = Path(os.environ.get("OPSAGENT_RUNBOOKS_DIR") or repository_folder())
    runbooks, problems = load_folder(folder)
    for runbook in runbooks:
        runbook.link = runbook_link(runbook.name, base_url)
    incidents: list[PastIncident] = []
    directory = os.environ.get("OPSAGENT_INCIDENTS_DIR")
    if directory and Path(directory).is_dir():
        for path in sorted(Path(directory).glob("*.json"), reverse=True)[:MAX_INCIDENTS]:
            try:
                incidents.append(PastIncident.from_json(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError) as exc:
                problems.append(f"{path.name}: skipped ({exc.__class__.__name__})")
    return Knowledge(runbooks, incidents, problems)


def _load_s3(bucket: str, base_url: str) -> Knowledge:
    from tools.common.aws import client, region

    s3 = client("s3")
    knowledge = Knowledge()

    def keys(prefix: str) -> list[str]:
        found: list[str] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found += [item["Key"] for item in page.get("Contents", [])]
        return found

    def read(key: str) -> str:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read(1_000_000).decode("utf-8", "replace")

    runbook_keys = [k for k in keys(RUNBOOK_PREFIX) if k.endswith(".md") and not k.lower().endswith("readme.md")]
    incident_keys = sorted((k for k in keys(INCIDENT_PREFIX) if k.endswith(".json")), reverse=True)[:MAX_INCIDENTS]
    with ThreadPoolExecutor(READ_THREADS) as pool:
        texts = dict(zip(runbook_keys + incident_keys, pool.map(read, runbook_keys + incident_keys)))
    for key in runbook_keys:
        name = key[len(RUNBOOK_PREFIX):-3]
        try:
            runbook = parse(name, texts[key])
        except RunbookError as exc:
            knowledge.problems.append(str(exc))
            continue
        runbook.link = runbook_link(name, base_url, bucket, region())
        knowledge.runbooks.append(runbook)
    for key in incident_keys:
        try:
            knowledge.incidents.append(PastIncident.from_json(texts[key]))
        except (ValueError, TypeError) as exc:
            knowledge.problems.append(f"{key}: skipped ({exc.__class__.__name__})")
    return knowledge


_lock = threading.Lock()
_cache: dict[tuple[str, str, str, str], tuple[float, Knowledge]] = {}


def load(base_url: str = "", refresh: bool = False) -> Knowledge:
    """Runbooks and past incidents with their index (cached per source for ``CACHE_SECONDS``)."""
    bucket = _bucket()
    key = (bucket, base_url, os.environ.get("OPSAGENT_RUNBOOKS_DIR", ""), os.environ.get("OPSAGENT_INCIDENTS_DIR", ""))
    with _lock:
        cached = _cache.get(key)
        if cached and not refresh and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    knowledge = _load_s3(bucket, base_url) if bucket else _load_local(base_url)
    knowledge.index = Index(_documents(knowledge.runbooks, knowledge.incidents))
    with _lock:
        _cache[key] = (time.monotonic(), knowledge)
    return knowledge


def save_incident(record: PastIncident) -> str | None:
    """Keep ``record`` (S3 or ``OPSAGENT_INCIDENTS_DIR``); where it went, or None when nowhere is configured."""
    name = object_name(record)
    bucket = _bucket()
    if bucket:
        from tools.common.aws import client

        client("s3").put_object(Bucket=bucket, Key=INCIDENT_PREFIX + name, Body=record.to_json().encode("utf-8"),
                                ContentType="application/json")
        where = f"s3://{bucket}/{INCIDENT_PREFIX}{name}"
    else:
        directory = os.environ.get("OPSAGENT_INCIDENTS_DIR")
        if not directory:
            return None
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(record.to_json(), encoding="utf-8")
        where = str(path / name)
    with _lock:
        _cache.clear()  # the next search sees it
    return where


def forget_cache() -> None:
    with _lock:
        _cache.clear()


def describe_source() -> str:
    bucket = _bucket()
    return f"s3://{bucket}/" if bucket else str(Path(os.environ.get("OPSAGENT_RUNBOOKS_DIR") or repository_folder()))



