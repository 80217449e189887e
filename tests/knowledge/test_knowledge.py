"""Runbooks (front matter, FTS5 bm25 search), triage__search_runbooks, a runbook matched into a triage answer and
an alert, and past incidents ("similar to …, on …")."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import jsonschema
import pytest

from agent.report_schema import extensions_schema, report_schema

from tools.knowledge import store
from tools.knowledge.incidents import PastIncident, similar, similarity
from tools.knowledge.index import Document, Index, fts5_available
from tools.knowledge.runbooks import RunbookError, load_folder, parse, repository_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))
from snapshot_fixture import write_snapshot  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_knowledge(monkeypatch):
    monkeypatch.delenv("OPSAGENT_KNOWLEDGE_BUCKET", raising=False)
    monkeypatch.delenv("OPSAGENT_INCIDENTS_DIR", raising=False)
    monkeypatch.delenv("OPSAGENT_RUNBOOKS_DIR", raising=False)
    store.forget_cache()
    yield
    store.forget_cache()


def test_sqlite_here_has_fts5_with_bm25():
    assert fts5_available(), f"SQLite {sqlite3.sqlite_version} lacks FTS5"
    assert Index([Document("runbook", "a", "DynamoDB throttling", "ThrottlingException")]).fts5


def test_every_bundled_runbook_has_complete_front_matter():
    runbooks, problems = load_folder(repository_folder())
    assert problems == []
    assert len(runbooks) >= 12
    for runbook in runbooks:
        assert runbook.title and runbook.services and runbook.owner, runbook.name
        assert len(runbook.symptoms) >= 4, runbook.name
        assert "## " in runbook.body, runbook.name


def test_front_matter_errors_name_the_file():
    with pytest.raises(RunbookError, match="x.md: no front matter"):
        parse("x.md", "# title only")
    with pytest.raises(RunbookError, match="lacks 'title'"):
        parse("y.md", "---\nowner: me\n---\nbody")
    with pytest.raises(RunbookError, match="not closed"):
        parse("z.md", "---\ntitle: t\n")


@pytest.mark.parametrize("line, expected", [
    ("software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException: Rate of requests exceeds "
     "the allowed throughput. (Service: DynamoDb, Status Code: 400)", "dynamodb-throttling"),
    ("[ERROR] AccessDeniedException: User: arn:aws:sts::210987654321:assumed-role/invoices-create-role/invoices-create "
     "is not authorized to perform: dynamodb:PutItem on resource", "iam-access-denied-after-policy-change"),
    ("KMS.DisabledException: arn:aws:kms:eu-west-2:890123456789:key/5b6a is disabled.", "kms-key-disabled"),
    ("error: password authentication failed for user \"orders_app\"", "secrets-rotation"),
    ("2026-06-10T03:00:31.201Z ERROR Task timed out after 30.03 seconds", "lambda-timeouts-concurrency"),
    ("Error: connect ETIMEDOUT 10.0.3.12:5432", "network-path-change"),
    ("java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms",
     "rds-connections-exhausted"),
    ("OSError: [Errno 28] No space left on device: '/tmp/render-1.pdf'", "disk-full"),
    ("javax.net.ssl.SSLHandshakeException: PKIX path validation failed: certificate has expired", "certificate-expiry"),
    ("java.net.UnknownHostException: payments.internal.example: Name or service not known", "dns-route53"),
    ("GuardDuty UnauthorizedAccess:IAMUser/TorIPCaller on AKIA user ci-bot, then CreateAccessKey", "leaked-access-key"),
])
def test_the_decisive_error_line_finds_its_runbook_first(line, expected):
    hits = store.load().index.search(line, "runbook", limit=3)
    assert hits and hits[0].document.key == expected and hits[0].match, [(h.document.key, h.shared) for h in hits]


def test_generic_words_alone_match_nothing():
    hits = store.load().index.search("ERROR request failed after the timeout", "runbook")
    assert not any(h.match for h in hits)


def _search(query: str, **extra) -> tuple[str, dict]:
    from tools.triage.handler import lambda_handler

    event = {"messageVersion": "1.0", "agent": {}, "inputText": "", "sessionId": "s", "actionGroup": "triage",
             "function": "search_runbooks", "sessionAttributes": {}, "promptSessionAttributes": {},
             "parameters": [{"name": "query", "type": "string", "value": query}]
             + [{"name": k, "type": "string", "value": v} for k, v in extra.items()]}
    response = lambda_handler(event, None)["response"]
    return response["functionResponse"]["responseBody"]["TEXT"]["body"], response["functionResponse"]


def test_search_runbooks_answers_with_title_owner_link_and_first_checks():
    body, response = _search("ProvisionedThroughputExceededException on device-events", service="dynamodb")
    assert "responseState" not in response
    first = [line for line in body.splitlines() if line.startswith("- ")][0]
    assert first.startswith("- DynamoDB throttling (matches; owner data-platform): runbooks/dynamodb-throttling.md")
    assert "check: Table metrics" in body
    assert "no past investigation saved yet" in body


def test_search_runbooks_without_a_query_reprompts():
    from tools.triage.handler import lambda_handler

    event = {"messageVersion": "1.0", "agent": {}, "inputText": "", "sessionId": "s", "actionGroup": "triage",
             "function": "search_runbooks", "parameters": [], "sessionAttributes": {}, "promptSessionAttributes": {}}
    response = lambda_handler(event, None)["response"]["functionResponse"]
    assert response["responseState"] == "REPROMPT" and "query" in response["responseBody"]["TEXT"]["body"]


def test_a_runbook_is_matched_into_the_triage_answer(tmp_path, monkeypatch):
    from agent.triage_command import investigate
    from tools.common.snapshot import Snapshot

    snapshot = Snapshot.open(write_snapshot(tmp_path / "snap"))
    report = investigate(snapshot, snapshot.manifest.window)
    top = report["hypotheses"][0]
    assert "RevokeSecurityGroupIngress" in top["title"]  # the decisive change ranks first (triage's job)
    assert top["runbooks"] == [{"title": "Connection timeouts after a security group, NACL, route or VPC endpoint change",
                                "link": "runbooks/network-path-change.md"}]
    assert "*Runbook:* Connection timeouts after a security group" in report["summary"]
    assert len(report["summary"]) <= 2500
    _valid_against_contract_and_extensions(report)


def _valid_against_contract_and_extensions(report: dict) -> None:
    for schema in (report_schema(), extensions_schema()):
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(report)


def test_the_extensions_schema_rejects_a_runbook_without_a_link():
    bad = {"hypotheses": [{"runbooks": [{"title": "x"}]}]}
    with pytest.raises(jsonschema.ValidationError, match="link"):
        jsonschema.Draft202012Validator(extensions_schema()).validate(bad)


def test_runbook_links_use_the_configured_base_url_or_the_bucket():
    assert store.runbook_link("disk-full", "https://git.example.com/ops/runbooks/") == "https://git.example.com/ops/runbooks/disk-full.md"
    assert store.runbook_link("disk-full", "", "kb-bucket", "eu-west-1") == (
        "https://s3.console.aws.amazon.com/s3/object/kb-bucket?region=eu-west-1&prefix=runbooks/disk-full.md")


def _past(**values) -> PastIncident:
    base = dict(id="inv-2026-10-02-aaaa", date="2026-10-02", window_start="2026-10-02T10:00:00Z",
                window_end="2026-10-02T11:00:00Z", title="RevokeSecurityGroupIngress on sg-0db", confidence="high",
                templates=["ERROR connect timed out <*>"], changes=["RevokeSecurityGroupIngress"],
                resources=["sg-0db"], services=["checkout"])
    base.update(values)
    return PastIncident(**base)


def test_similarity_weighs_templates_changes_resources_services():
    old = _past()
    assert similarity(_past(id="new"), old) == pytest.approx(1.0)
    unrelated = _past(id="new", templates=["ERROR disk full <*>"], changes=["PutBucketPolicy"], resources=["b"], services=["search"])
    assert similarity(unrelated, old) == 0.0
    later = _past(id="new", window_start="2026-11-20T09:00:00Z", window_end="2026-11-20T10:00:00Z")
    assert similar(later, [old]) == [(old, pytest.approx(1.0))]
    overlapping = _past(id="new2", window_start="2026-10-02T10:30:00Z", window_end="2026-10-02T11:30:00Z")
    assert similar(overlapping, [old]) == []  # the same incident (an alert, then the question), not a precedent


def test_an_investigation_is_saved_and_a_later_one_says_similar_to(tmp_path, monkeypatch):
    from agent.triage_command import investigate
    from tools.common.snapshot import Snapshot

    incidents = tmp_path / "incidents"
    monkeypatch.setenv("OPSAGENT_INCIDENTS_DIR", str(incidents))
    snapshot = Snapshot.open(write_snapshot(tmp_path / "snap"))
    first = investigate(snapshot, snapshot.manifest.window)
    [saved] = list(incidents.glob("*.json"))
    record = json.loads(saved.read_text())
    assert "RevokeSecurityGroupIngress" in record["changes"] and record["templates"]
    assert "similar_incidents" not in first
    # the same failure a week earlier (moved window), as another team member investigated it
    earlier = dict(record, id="inv-2026-11-13-bbbb", date="2026-11-13", window_start="2026-11-13T09:00:00Z",
                   window_end="2026-11-13T10:00:00Z")
    (incidents / "inv-2026-11-13-bbbb.json").write_text(json.dumps(earlier))
    store.forget_cache()
    again = investigate(snapshot, snapshot.manifest.window)
    assert again["similar_incidents"][0]["id"] == "inv-2026-11-13-bbbb"
    _valid_against_contract_and_extensions(again)
    assert "_Similar to" in again["summary"] and "on 2026-11-13" in again["summary"]


def test_a_corrupt_incident_file_is_skipped_and_counted(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSAGENT_INCIDENTS_DIR", str(tmp_path))
    (tmp_path / "bad.json").write_text("{not json")
    knowledge = store.load()
    assert knowledge.incidents == [] and any("bad.json" in p for p in knowledge.problems)
