"""Lexical search over runbooks and past investigations: SQLite FTS5 with bm25 ranking (stdlib ``sqlite3``).

FTS5 is compiled into the SQLite of CPython 3.11 here (SQLite 3.40) and of the Lambda python3.12 runtime; when a
build lacks it, ``Index`` falls back to the same ranking formula-free: documents ordered by how many query terms
they hold (``fts5`` tells which one ran). At tens to hundreds of documents no vector store is needed.

Columns are weighted (``WEIGHTS``): a symptom or title term says far more than a word of the body. A hit counts as
a *match* (worth attaching to an answer) only when it shares ``MIN_SHARED_TERMS`` specific terms with the query
and one of them is in its title or symptoms: generic words (error, failed, the) never make a match.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field

COLUMNS = ("title", "symptoms", "services", "body")
WEIGHTS = (6.0, 4.0, 2.0, 1.0)
"""bm25 column weights: title, symptoms (the error strings a runbook is for), services, body."""
MIN_SHARED_TERMS = 2
"""A match shares two specific whole words with the query, one of them in its title or symptoms (one word, like
'timeout', fits too many runbooks; the parts of one CamelCase word count once)."""
MAX_QUERY_TERMS = 40
MAX_PHRASES = 20
"""Adjacent word pairs of the query are also searched as phrases: "task timed" ranks the runbook that quotes
"Task timed out" above one that merely holds both words."""
GENERIC = frozenset("""
a an the and or of to in on at for from by with without is are was were be been not no this that it its as after
before since into over under than then error errors exception exceptions failed failure fail fails warn warning info
debug fatal critical severe request requests response message unable could cannot can t s http https www com aws
amazonaws arn us east west eu ap while when during ms sec seconds minutes min new log logs line lines ok true false null
none get put post id ids via caused cause service services out user role sts assumed cloudtrail cloud trail
change changes changed update updated call calls api metric metrics rose fell load balancer window onset minute minutes
before after trace traces count lines top
""".split())
_TERM = re.compile(r"[A-Za-z][A-Za-z0-9]{1,60}")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def words(text: str) -> dict[str, int]:
    """Specific lowercase whole words of ``text`` (no CamelCase parts), what a match is counted on, with their
    weight: an API or exception name (``UpdateService``, ``KMS.DisabledException``: CamelCase, 10+ characters)
    names one thing and counts twice."""
    found: dict[str, int] = {}
    for word in _TERM.findall(text):
        lower = word.lower()
        if len(word) > 2 and lower not in GENERIC:
            weight = 2 if len(word) >= 10 and len(_CAMEL.findall(word)) > 1 and not word.isupper() else 1
            found[lower] = max(found.get(lower, 0), weight)
    return found


def terms(text: str) -> list[str]:
    """Specific lowercase terms of ``text``: words, and the parts of CamelCase words (``AccessDeniedException``
    gives ``accessdeniedexception``, ``access``, ``denied``), generic words left out, first occurrence order."""
    seen: dict[str, None] = {}
    for word in _TERM.findall(text):
        candidates = [word.lower()]
        parts = _CAMEL.findall(word)
        if len(parts) > 1:
            candidates += [p.lower() for p in parts]
        for candidate in candidates:
            if len(candidate) > 2 and candidate not in GENERIC:
                seen.setdefault(candidate, None)
    return list(seen)


@dataclass
class Document:
    """One searchable document: a runbook or a past investigation."""

    kind: str  # "runbook" or "incident"
    key: str
    title: str
    symptoms: str = ""
    services: str = ""
    body: str = ""
    link: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def term_set(self, column: str) -> set[str]:
        return set(terms(getattr(self, column)))


@dataclass
class Hit:
    document: Document
    score: float  # higher is better
    shared: list[str]  # whole query words the document holds
    match: bool  # strong enough to attach to an answer


def fts5_available() -> bool:
    try:
        connection = sqlite3.connect(":memory:")
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(x)")
        connection.close()
        return True
    except sqlite3.OperationalError:
        return False


class Index:
    """An in-memory index of documents; ``search`` ranks them for a free-text query."""

    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self.fts5 = fts5_available()
        self._db: sqlite3.Connection | None = None
        if self.fts5:
            self._db = sqlite3.connect(":memory:", check_same_thread=False)
            self._db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, symptoms, services, body, "
                             "tokenize = 'porter unicode61')")
            self._db.executemany("INSERT INTO docs(rowid, title, symptoms, services, body) VALUES (?, ?, ?, ?, ?)",
                                 [(i, d.title, _expand(d.symptoms), d.services, _expand(d.body))
                                  for i, d in enumerate(documents)])

    def _candidates(self, query_terms: list[str], limit: int, phrases: list[str] = ()) -> list[tuple[int, float]]:
        if self._db is not None:
            expression = " OR ".join([f'"{t}"' for t in query_terms] + [f'"{p}"' for p in phrases])
            weights = ", ".join(str(w) for w in WEIGHTS)
            rows = self._db.execute(f"SELECT rowid, bm25(docs, {weights}) FROM docs WHERE docs MATCH ? "
                                    f"ORDER BY bm25(docs, {weights}) LIMIT ?", (expression, limit)).fetchall()
            return [(int(row), -float(score)) for row, score in rows]
        ranked = []
        for i, document in enumerate(self.documents):
            held = sum(w for column, w in zip(COLUMNS, WEIGHTS) for t in query_terms if t in document.term_set(column))
            if held:
                ranked.append((i, float(held)))
        return sorted(ranked, key=lambda item: -item[1])[:limit]

    def search(self, query: str, kind: str | None = None, services: list[str] | None = None, limit: int = 5) -> list[Hit]:
        """The best documents for ``query`` (a question, an error line, a hypothesis title), best first; a
        document for one of ``services`` ranks above an equal one that is not."""
        query_terms = terms(query)[:MAX_QUERY_TERMS]
        query_words = words(query)
        if not query_terms:
            return []
        wanted = {s.lower() for s in services or []}
        hits = []
        raw = [w.lower() for w in _TERM.findall(query)]
        phrases = list(dict.fromkeys(f"{a} {b}" for a, b in zip(raw, raw[1:])
                                     if not (a in GENERIC and b in GENERIC)))[:MAX_PHRASES]
        for row, score in self._candidates(query_terms, max(limit * 4, 20), phrases):
            document = self.documents[row]
            if kind and document.kind != kind:
                continue
            held = document.term_set("title") | document.term_set("symptoms")
            everything = held | document.term_set("services") | document.term_set("body")
            shared = [w for w in query_words if w in everything]
            strong = [w for w in shared if w in held and len(w) >= 4]
            if wanted and wanted & set(terms(document.services)):
                score *= 1.25
            weight = sum(query_words[w] for w in shared)
            hits.append(Hit(document, score, shared, weight >= MIN_SHARED_TERMS and bool(strong)))
        hits.sort(key=lambda h: (-h.match, -h.score))
        return hits[:limit]


def _expand(text: str) -> str:
    """Text plus the parts of its CamelCase words, so ``ThrottlingException`` is found by 'throttling'."""
    extra = [" ".join(_CAMEL.findall(word)) for word in _TERM.findall(text) if len(_CAMEL.findall(word)) > 1]
    return text + ("\n" + " ".join(extra) if extra else "")
