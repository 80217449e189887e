"""AWS backend: CloudTrail ``LookupEvents`` (the 90-day event history; no set-up needed).

LookupEvents allows 2 requests per second per account and region, returns 50 events a page, newest first,
and accepts a single lookup attribute. So:

* without ``include_read_only`` the lookup asks for ``ReadOnly=false`` (the bulk of events are reads);
  with it and a service filter, ``EventSource=<service>``;
* the lookback before the window is read first, then the window: newest first means the changes closest
  before the window come first, so a cut loses the oldest, least relevant ones;
* when the workload region is not us-east-1, IAM's events (a global service, recorded in us-east-1) are
  looked up there too;
* pages are paced (``PACE_SECONDS`` through the injectable ``SLEEP``), bounded by ``max_pages`` (shared
  evenly by the listings, unused pages carried over) and the deadline; a cut or a failure after the first page gives a partial answer with a note, a failure before
  any page a ``SourceError``.

Each event's ``CloudTrailEvent`` (the full record as a JSON string) is what the digest reads.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable

from tools.cloudtrail.model import ChangeQuery, FetchReport
from tools.common import aws
from tools.common.deadline import Deadline
from tools.common.timewindow import Window

PACE_SECONDS = 0.5  # 2 requests/second
PAGE_SIZE = 50
MIN_SECONDS_PER_PAGE = 1.5  # stop when less than this is left on the deadline
GLOBAL_REGION = "us-east-1"
GLOBAL_SOURCES = ("iam.amazonaws.com",)
SLEEP: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class Lookup:
    """One LookupEvents listing: a region, a time range and the single lookup attribute."""

    region: str
    span: Window
    attribute: tuple[str, str] | None
    what: str

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"StartTime": self.span.start, "EndTime": self.span.end, "MaxResults": PAGE_SIZE}
        if self.attribute:
            params["LookupAttributes"] = [{"AttributeKey": self.attribute[0], "AttributeValue": self.attribute[1]}]
        return params


def plan(query: ChangeQuery) -> list[Lookup]:
    """The listings to run, most relevant first."""
    if not query.include_read_only:
        attribute: tuple[str, str] | None = ("ReadOnly", "false")
    elif query.event_source:
        attribute = ("EventSource", query.event_source)
    else:
        attribute = None
    global_only = query.event_source in GLOBAL_SOURCES
    region = GLOBAL_REGION if global_only else query.region
    lookups = []
    if query.lookback_window is not None:
        lookups.append(Lookup(region, query.lookback_window, attribute, "the lookback before the window"))
    lookups.append(Lookup(region, query.window, attribute, "the window"))
    if region != GLOBAL_REGION and query.event_source in (None, *GLOBAL_SOURCES):
        lookups.extend(Lookup(GLOBAL_REGION, query.span, ("EventSource", s), f"{s} in {GLOBAL_REGION}")
                       for s in GLOBAL_SOURCES)
    return lookups


def _record(event: dict[str, Any], report: FetchReport) -> dict[str, Any] | None:
    """The CloudTrail record inside a LookupEvents event (its ``CloudTrailEvent`` JSON)."""
    try:
        record = json.loads(event.get("CloudTrailEvent") or "")
    except (json.JSONDecodeError, TypeError, RecursionError):
        record = None
    if not isinstance(record, dict):
        report.malformed += 1
        return None
    record.setdefault("eventID", event.get("EventId"))
    return record


class Pager:
    """Runs the listings page by page within a page budget and a deadline, pacing every request."""

    def __init__(self, query: ChangeQuery, deadline: Deadline, max_pages: int, report: FetchReport,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.query = query
        self.deadline = deadline
        self.pages_left = max_pages
        self.max_pages = max_pages
        self.report = report
        self.sleep = sleep or SLEEP
        self.requests = 0
        self.failed = False

    def run(self) -> Iterator[dict[str, Any]]:
        """Every listing of the plan; each gets an even share of the pages left (unused pages carry over)."""
        if not self.query.include_read_only:
            self.report.read_only_not_fetched = True
        lookups = plan(self.query)
        for index, lookup in enumerate(lookups):
            if self.failed:
                return
            share = max(1, self.pages_left // (len(lookups) - index)) if self.pages_left > 0 else 0
            yield from self._listing(lookup, share)

    def _listing(self, lookup: Lookup, share: int) -> Iterator[dict[str, Any]]:
        """One listing, page by page, until its pages run out, the budget or deadline stops it, or AWS fails."""
        from botocore.exceptions import BotoCoreError, ClientError

        # The workload region's client is the default one (``aws.client("cloudtrail")``), shared and cached.
        client = aws.client("cloudtrail") if lookup.region == self.query.region else aws.client("cloudtrail", lookup.region)
        params = lookup.params()
        oldest: str | None = None
        pages = 0
        while True:
            stop = self._stop_reason(pages, share)
            if stop:
                since = f" (read back to {oldest})" if oldest else ""
                self.report.cut(f"LookupEvents stopped on {stop} while reading {lookup.what}{since}; "
                                f"older events there were not read: narrow the window or add a filter")
                return
            if self.requests:
                self.sleep(PACE_SECONDS)
            try:
                page = client.lookup_events(**params)
            except (ClientError, BotoCoreError) as exc:
                error = aws.explain("cloudtrail", "LookupEvents", exc)
                if not self.requests:
                    raise error from None
                self.report.cut(f"{error.what} while reading {lookup.what}; the answer lists what was read ({error.hint})")
                self.failed = True
                return
            self.requests += 1
            self.pages_left -= 1
            pages += 1
            for event in page.get("Events", []):
                record = _record(event, self.report)
                if record is not None:
                    oldest = str(record.get("eventTime") or oldest)
                    yield record
            token = page.get("NextToken")
            if not token:
                return
            params["NextToken"] = token

    def _stop_reason(self, pages: int, share: int) -> str:
        if self.pages_left <= 0 or pages >= share:
            return f"the page limit (cloudtrail.max_pages = {self.max_pages}, shared by {len(plan(self.query))} listings)"
        if self.deadline.remaining() < MIN_SECONDS_PER_PAGE + (PACE_SECONDS if self.requests else 0.0):
            return "the time limit"
        return ""


def fetch(query: ChangeQuery, deadline: Deadline, max_pages: int, report: FetchReport,
          sleep: Callable[[float], None] | None = None) -> Iterator[dict[str, Any]]:
    """Stream the records LookupEvents returns for ``query``; raises SourceError when the first request fails."""
    yield from Pager(query, deadline, max_pages, report, sleep).run()

