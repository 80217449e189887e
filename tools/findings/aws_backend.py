"""Fetch active findings from AWS: Security Hub GetFindings (server-side filters, paginated) and GuardDuty
ListDetectors -> ListFindings -> GetFindings (<= 50 ids per call), all inside the deadline. A product that is
not enabled, or a detector that does not exist, is a status line for that part; the other part still works."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

from tools.common import aws
from tools.common.app import ToolRequest
from tools.common.deadline import Deadline
from tools.common.timewindow import Window, iso
from tools.findings.model import GUARDDUTY_MIN_SCORE, Criteria, Fetched, Part, at_or_above
from tools.findings.normalize import from_asff, from_guardduty

MAX_PAGES = 20
SECURITYHUB_PAGE = 100
GUARDDUTY_PAGE = 50
_NOT_ENABLED = {"InvalidAccessException"}
_MISSING_DETECTOR = {"BadRequestException", "ResourceNotFoundException"}


class _Stop(Exception):
    """Reading stopped early (deadline or page cap); the reason is in ``Fetched.partial``."""


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""


def securityhub_filters(window: Window | None, criteria: Criteria) -> dict[str, Any]:
    """GetFindings filters: active, NEW/NOTIFIED, updated in the window, severity and resource."""
    filters: dict[str, Any] = {
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
        "WorkflowStatus": [{"Value": "NEW", "Comparison": "EQUALS"}, {"Value": "NOTIFIED", "Comparison": "EQUALS"}],
        "SeverityLabel": [{"Value": label, "Comparison": "EQUALS"} for label in at_or_above(criteria.min_severity)],
    }
    if window is not None and not criteria.include_standing:
        filters["UpdatedAt"] = [{"Start": iso(window.start), "End": iso(window.end)}]
    if criteria.resource:
        filters["ResourceId"] = [{"Value": criteria.resource, "Comparison": "CONTAINS"}]
    return filters


def guardduty_criteria(window: Window | None, criteria: Criteria) -> dict[str, Any]:
    """ListFindings criteria: not archived, updated in the window, severity at or above the minimum."""
    criterion: dict[str, Any] = {"service.archived": {"Eq": ["false"]}}
    if window is not None and not criteria.include_standing:
        criterion["updatedAt"] = {
            "GreaterThanOrEqual": int(window.start.timestamp() * 1000),
            "LessThan": int(window.end.timestamp() * 1000),
        }
    if GUARDDUTY_MIN_SCORE[criteria.min_severity] > 0:
        criterion["severity"] = {"GreaterThanOrEqual": GUARDDUTY_MIN_SCORE[criteria.min_severity]}
    return {"Criterion": criterion}


def _paginate(call: Callable[..., dict[str, Any]], args: dict[str, Any], deadline: Deadline, fetched: Fetched, what: str) -> Iterator[dict[str, Any]]:
    """Pages of one API call (NextToken) until done, the deadline, or MAX_PAGES."""
    token: str | None = None
    for page_number in range(MAX_PAGES):
        if deadline.expired():
            fetched.partial.append(f"{what}: the time budget ran out after {page_number} page(s)")
            raise _Stop
        page = call(**args, **({"NextToken": token} if token else {}))
        yield page
        token = page.get("NextToken")
        if not token:
            return
    fetched.partial.append(f"{what}: stopped after {MAX_PAGES} pages; narrow with resource=... or min_severity=HIGH")
    raise _Stop


def _securityhub(request: ToolRequest, criteria: Criteria, fetched: Fetched) -> None:
    client = aws.client("securityhub")
    args = {"Filters": securityhub_filters(request.window, criteria), "MaxResults": SECURITYHUB_PAGE}
    read = 0
    try:
        for page in _paginate(client.get_findings, args, request.deadline, fetched, "Security Hub"):
            for raw in page.get("Findings") or []:
                fetched.findings.append(from_asff(raw))
                read += 1
    except _Stop:
        fetched.parts["securityhub"] = Part("partial", f"cut short after {read} finding(s)")
        return
    except Exception as exc:  # noqa: BLE001 - one product failing must not hide the other
        if _code(exc) in _NOT_ENABLED:
            fetched.parts["securityhub"] = Part("not_configured", "not enabled in this account and region (not subscribed); enable Security Hub to see its findings")
            return
        error = aws.explain("securityhub", "GetFindings", exc)
        fetched.failures.append(f"Security Hub: {error.what} — {error.hint}")
        fetched.parts["securityhub"] = Part("partial" if read else "error", f"failed after {read} finding(s): {error.what} — {error.hint}")
        return
    fetched.parts["securityhub"] = Part("read", f"{read} finding(s) read")


def _detectors(client: Any, request: ToolRequest, fetched: Fetched) -> list[str]:
    ids: list[str] = []
    for page in _paginate(client.list_detectors, {}, request.deadline, fetched, "GuardDuty detectors"):
        ids.extend(str(d) for d in page.get("DetectorIds") or [])
    return ids


def _detector_findings(client: Any, detector: str, request: ToolRequest, criteria: Criteria, fetched: Fetched) -> int:
    args = {
        "DetectorId": detector,
        "FindingCriteria": guardduty_criteria(request.window, criteria),
        "SortCriteria": {"AttributeName": "updatedAt", "OrderBy": "DESC"},
        "MaxResults": GUARDDUTY_PAGE,
    }
    read = 0
    for page in _paginate(client.list_findings, args, request.deadline, fetched, f"GuardDuty detector {detector}"):
        ids = [str(i) for i in page.get("FindingIds") or []]
        for start in range(0, len(ids), GUARDDUTY_PAGE):
            found = client.get_findings(DetectorId=detector, FindingIds=ids[start:start + GUARDDUTY_PAGE])
            for raw in found.get("Findings") or []:
                fetched.findings.append(from_guardduty(raw))
                read += 1
    return read


def _guardduty(request: ToolRequest, criteria: Criteria, fetched: Fetched) -> None:
    client = aws.client("guardduty")
    try:
        detectors = _detectors(client, request, fetched)
    except _Stop:
        fetched.parts["guardduty"] = Part("partial", "cut short while listing detectors")
        return
    except Exception as exc:  # noqa: BLE001 - one product failing must not hide the other
        error = aws.explain("guardduty", "ListDetectors", exc)
        fetched.failures.append(f"GuardDuty: {error.what} — {error.hint}")
        fetched.parts["guardduty"] = Part("error", f"{error.what} — {error.hint}")
        return
    if not detectors:
        fetched.parts["guardduty"] = Part("not_configured", "not enabled in this region (no detector); enable GuardDuty to see its findings")
        return
    lines: list[str] = []
    outcomes: set[str] = set()
    for detector in detectors:
        try:
            lines.append(f"detector {detector}: {_detector_findings(client, detector, request, criteria, fetched)} finding(s) read")
            outcomes.add("read")
        except _Stop:
            lines.append(f"detector {detector}: cut short")
            outcomes.add("partial")
            break
        except Exception as exc:  # noqa: BLE001
            if _code(exc) in _MISSING_DETECTOR:
                lines.append(f"detector {detector} does not exist or is not owned by this account (GuardDuty may be suspended or not enabled here)")
                outcomes.add("missing")
                continue
            error = aws.explain("guardduty", "ListFindings/GetFindings", exc)
            fetched.failures.append(f"GuardDuty detector {detector}: {error.what} — {error.hint}")
            lines.append(f"detector {detector}: {error.what}")
            outcomes.add("error")
    fetched.parts["guardduty"] = Part(_combine(outcomes), "; ".join(lines))


def _combine(outcomes: set[str]) -> str:
    """One status for GuardDuty from its detectors' outcomes."""
    if outcomes == {"missing"}:
        return "not_configured"
    if "partial" in outcomes or ("error" in outcomes and "read" in outcomes):
        return "partial"
    return "error" if "error" in outcomes else "read"


def fetch(request: ToolRequest, criteria: Criteria, sources: tuple[str, ...]) -> Fetched:
    """Findings from ``sources`` (securityhub, guardduty); each product's trouble stays in its own part."""
    fetched = Fetched()
    readers = {"securityhub": _securityhub, "guardduty": _guardduty}
    for source in sources:
        readers[source](request, criteria, fetched)
    return fetched
