"""Athena binds execution parameters (``?``) only in WHERE: every Athena query in the code base, in every
filter combination, has its placeholders inside a WHERE clause (of the query or of a subquery), and as many
placeholders as bound values."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from agent.doctor.checks import probe_sql
from tools.alb import sql as alb_sql
from tools.alb.aws_backend import table_name
from tools.alb.model import Filters
from tools.cloudtrail.athena_backend import build_sql
from tools.cloudtrail.model import ChangeQuery
from tools.common.timewindow import Window

ROOT = Path(__file__).resolve().parents[2]
WINDOW = Window(datetime(2026, 11, 20, 23, 30, tzinfo=timezone.utc), datetime(2026, 11, 21, 0, 30, tzinfo=timezone.utc))
CLAUSES = ("SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET", "JOIN", "ON", "UNION",
           "WINDOW", "VALUES", "WITH")
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|--[^\n]*|\(|\)|\?|\b(?:GROUP\s+BY|ORDER\s+BY|"
                    + "|".join(c for c in CLAUSES if " " not in c) + r")\b", re.IGNORECASE)


def clauses_of_placeholders(sql: str) -> list[str]:
    """The clause each ``?`` sits in (parentheses inherit their parent's clause until a SELECT opens a subquery);
    string literals, quoted names and comments are skipped."""
    stack, found = ["SELECT"], []
    for match in _TOKEN.finditer(sql):
        token = match.group(0)
        if token[0] in "'\"-":
            continue
        if token == "(":
            stack.append(stack[-1])
        elif token == ")":
            stack.pop()
        elif token == "?":
            found.append(stack[-1])
        else:
            stack[-1] = " ".join(token.upper().split())
    return found


def test_the_checker_sees_clauses() -> None:
    assert clauses_of_placeholders("SELECT a FROM t WHERE x IN (?, ?) AND f(y, ?) > 0 ORDER BY abs(z - ?)") == \
        ["WHERE", "WHERE", "WHERE", "ORDER BY"]
    assert clauses_of_placeholders("SELECT (SELECT 1 FROM u WHERE k = ?) FROM t WHERE s = '?' LIMIT ?") == ["WHERE", "LIMIT"]


def alb_queries() -> list[tuple[str, list[object]]]:
    out = []
    for lb, prefix, status in itertools.product((None, "app/shop/123"), (None, "/api/"), (None, "5xx")):
        for bucket in sorted(set(alb_sql.BUCKET_SECONDS.values()))[:2]:
            query = alb_sql.summary_query(alb_sql.ATHENA, table_name("ops_agent", "alb_access_logs"), WINDOW,
                                          Filters(lb, prefix, status), bucket)
            out.append((query.sql, list(query.params)))
    return out


def cloudtrail_queries() -> list[tuple[str, list[object]]]:
    out = []
    for source, principal, resource, read_only, region in itertools.product(
            (None, "iam.amazonaws.com"), (None, "alice"), (None, "sg-123"), (False, True), ("us-east-1", "eu-west-1")):
        query = ChangeQuery(WINDOW, timedelta(minutes=60), source, principal, resource, read_only, region)
        out.append(build_sql(query, "cloudtrail_logs"))
    return out


def doctor_queries() -> list[tuple[str, list[object]]]:
    parts = ({"day": "2026/11/20"}, {"region": "eu-west-1", "day": "2026/11/20"})
    return [(probe_sql("ops_agent", "t", p), list(p.values())) for p in parts]


@pytest.mark.parametrize("name,queries", [("alb", alb_queries), ("cloudtrail", cloudtrail_queries),
                                          ("doctor", doctor_queries)])
def test_every_placeholder_is_in_where(name: str, queries) -> None:
    for sql, params in queries():
        where = clauses_of_placeholders(sql)
        assert len(where) == len(params), (name, sql)
        assert set(where) <= {"WHERE"}, (name, sorted(set(where)), sql)


def test_every_athena_query_site_is_covered_here() -> None:
    """A new module that runs Athena queries must join the cases above."""
    sites = sorted(str(p.relative_to(ROOT)) for folder in ("tools", "agent") for p in (ROOT / folder).rglob("*.py")
                   if re.search(r"\b(athena|runner)\.(run_query|start)\(", p.read_text(encoding="utf-8")))
    assert sites == ["agent/doctor/checks.py", "tools/alb/aws_backend.py", "tools/cloudtrail/athena_backend.py"]
