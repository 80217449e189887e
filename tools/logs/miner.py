"""Template mining: one miner configuration shared by find_error_patterns, search_logs, digest-logs and alerts.

Messages are first masked (``tools.logs.masking``: timestamps, UUIDs, ARNs, IPs with ports, hex ids, URLs and
paths with ids, numbers with units, durations, JSON values, ``key=value`` values), so variable values never
split one kind of error into several patterns. drain3's ``Drain`` then groups the masked token sequences, and a
cluster whose word column takes only a few values is split on it (Brain's refinement, ``tools.logs.brain``):
"Failed to load order" and "Failed to persist order" stay two patterns. Identical masked lines are mined once
(a dict), which keeps throughput high on real logs where most lines repeat a few shapes.

The configuration (``DEFAULT_CONFIG``) is the one chosen by the leave-one-system-out evaluation in
``bench/logs_loso.py``; Brain itself (``parser="brain"``) is measured there too and scores lower.

A template's id is ``evidence_id("logs", template)`` ("L-xxxxxxxx"): the same text gives the same id in every
tool and every call, and clusters whose final templates coincide are one pattern.

API: ``TemplateMiner(config=None)`` with ``add(message) -> key``, ``template(key)``, ``id(key)`` and
``templates()``; ``mine_lines(lines) -> (templates, ids)``; ``mask``, ``template_id``, ``template_regex``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable, MutableSequence
from typing import TYPE_CHECKING, Any

from tools.common.evidence import evidence_id
from tools.logs.masking import WILDCARD, digit_blind, join_marks, masker
from tools.logs.matching import escape_literal

if TYPE_CHECKING:  # drain3 is imported lazily (cold start)
    from drain3.drain import Drain

# --- the one miner configuration -----------------------------------------------------------
# Parser, tree depth, similarity threshold and masking set are chosen by the leave-one-system-out evaluation
# (bench/logs_loso.py over ten Loghub systems with labelled templates): each system is scored with the
# configuration that is best on the other nine; these are the values chosen on all ten (docs/performance.md).


@dataclass(frozen=True)
class MinerConfig:
    """One miner configuration: ``drain`` (drain3, streaming) or ``brain`` (tools.logs.brain, batch)."""

    parser: str = "drain"
    depth: int = 4               # drain: tree depth (drain3 counts the root and the length level)
    similarity: float = 0.6      # drain: share of equal tokens for a message to join a cluster
    threshold: int = 6           # brain: a column with this many distinct tokens is a variable
    split: int = 4               # drain: split a cluster on a word column with 2..split-1 distinct tokens (0: never)
    masking: frozenset[str] = frozenset()  # optional masking kinds (tools.logs.masking.OPTIONAL_KINDS)

    def describe(self) -> str:
        kinds = "+".join(sorted(self.masking)) or "base"
        if self.parser == "brain":
            return f"brain threshold={self.threshold} masking={kinds}"
        refine = f" split<{self.split}" if self.split > 2 else ""
        return f"drain depth={self.depth} sim={self.similarity:g}{refine} masking={kinds}"


DEFAULT_CONFIG = MinerConfig()
MAX_CHILDREN = 100
MAX_CLUSTERS = 20_000  # LRU bound of drain3; an evicted cluster's shapes keep their templates (rows below)
CACHE_LIMIT = 200_000
ROW_LIMIT = 200_000  # distinct masked lines a miner keeps (memory bound); later new shapes count on their cluster
_OTHER = -2  # the cluster of shapes beyond 2 * ROW_LIMIT rows (template "<*>")
CANDIDATES = 64  # clusters of one tree leaf compared with a message (oldest and newest halves): bounds the work
EXTRA_DELIMITERS: tuple[str, ...] = ()


def mask(message: str, kinds: frozenset[str] | None = None) -> str:
    """The message with every variable value replaced by ``<*>`` (masking set of the default configuration)."""
    return masker(DEFAULT_CONFIG.masking if kinds is None else kinds)(message)


# --- memoised masking ------------------------------------------------------------------------
# Every character class and literal of the masking expressions treats all ASCII digits alike, except the
# literal "0" of the hexadecimal "0x" prefix; so two lines that differ only in which ASCII digits they hold
# (same "skeleton" with every digit written 1) are masked at the same places, and when the masked line keeps
# no digit at all, both give the same masked line. The "0" only matters before an "x"/"X": lines with a digit
# before x/X are not memoised. This is what lets 150,000 error lines that differ in ids, times and addresses
# be masked a few hundred times instead of 150,000 times.

_SKELETON = bytes.maketrans(b"0123456789", b"1111111111")  # on UTF-8 bytes: the same as on the text, faster
_ZERO_SKELETON = bytes.maketrans(b"123456789", b"111111111")  # zeros kept (the "0" of "0x" is then alike too)
_ANY_DIGIT = re.compile(r"[0-9]")
_MEMO_SAFE = digit_blind()  # an edit that breaks the argument above turns the memo off, never wrong


class _MaskMemo:
    """``mask`` with the skeleton memo above; bounded like the miner's cache."""

    def __init__(self, kinds: frozenset[str] | None = None) -> None:
        self._mask = masker(DEFAULT_CONFIG.masking if kinds is None else kinds)
        self._masked: dict[bytes, str] = {}

    def __call__(self, line: str) -> str:
        if not _MEMO_SAFE:
            return self._mask(line)
        skeleton = line.encode("utf-8", "surrogatepass").translate(_SKELETON)
        masked = self._masked.get(skeleton)
        if masked is not None:
            return masked
        masked = self._mask(line)
        if b"1x" not in skeleton and b"1X" not in skeleton and _ANY_DIGIT.search(masked) is None:
            if len(self._masked) >= CACHE_LIMIT:
                self._masked.clear()
            self._masked[skeleton] = masked
        return masked


_TOKEN_RE = re.compile(r"<[A-Za-z]+(?:-\d+)?>|<\*>")
_SPACES = re.compile(r"\s+")


def first_line(message: str) -> str:
    """The first non-empty line of a (possibly multi-line) message, bounded to 2000 characters."""
    for line in message.splitlines():
        if line.strip():
            return line[:2000]
    return ""


def normalise_template(template: str) -> str:
    """A template with any dynamic-token spelling (``<*>``, ``<Token-1>``, ``<IP-2>``) as ``<*>``."""
    return _SPACES.sub(" ", _TOKEN_RE.sub(WILDCARD, join_marks(template))).strip()


def template_id(template: str) -> str:
    """The stable evidence id of a template: ``L-xxxxxxxx``."""
    return evidence_id("logs", normalise_template(template))


def template_regex(template: str) -> str:
    """A regular expression matching the lines of ``template``.

    Literal text is escaped; ``<*>`` becomes ``.*?``; tokens are joined by ``\\s*`` (a masked value may have
    held spaces, and Insights spells tokens its own way).
    """
    tokens = normalise_template(template).split(" ")
    return r"\s*".join(".*?".join(escape_literal(part) for part in token.split(WILDCARD)) for token in tokens)


@dataclass
class MinedTemplate:
    id: str
    template: str
    count: int


_EXCEPTION_TOKEN = re.compile(r"[A-Za-z0-9_$]+(?:Exception|Error|Fault)\b")


def _different_exceptions(template: Any, tokens: Any) -> bool:
    for left, right in zip(template, tokens):
        if left != right and left != WILDCARD and _EXCEPTION_TOKEN.search(left) and _EXCEPTION_TOKEN.search(right):
            return True
    return False


def _bounded_drain(config: MinerConfig) -> Drain:
    """drain3's Drain, comparing a message with at most ``CANDIDATES`` clusters of its tree leaf.

    Two lines naming different exception classes at the same place are different errors, however similar the
    rest. On adversarial input (thousands of distinct lines sharing a length and first tokens) a leaf holds thousands of
    clusters and plain Drain becomes quadratic; the oldest clusters (usually the big ones) and the newest are kept.
    """
    from drain3.drain import Drain

    class BoundedDrain(Drain):  # type: ignore[misc]
        def get_seq_distance(self, seq1: Any, seq2: Any, include_params: bool) -> Any:
            similarity, params = super().get_seq_distance(seq1, seq2, include_params)
            if similarity >= self.sim_th and _different_exceptions(seq1, seq2):
                return 0.0, params
            return similarity, params

        def fast_match(self, cluster_ids: Any, tokens: Any, sim_th: float, include_params: bool) -> Any:
            if len(cluster_ids) > CANDIDATES:
                half = CANDIDATES // 2
                cluster_ids = list(cluster_ids[:half]) + list(cluster_ids[-half:])
            return super().fast_match(cluster_ids, tokens, sim_th, include_params)

    return BoundedDrain(
        depth=config.depth,
        sim_th=config.similarity,
        max_children=MAX_CHILDREN,
        max_clusters=MAX_CLUSTERS,
        extra_delimiters=EXTRA_DELIMITERS,
        param_str=WILDCARD,
        parametrize_numeric_tokens=True,
    )


class TemplateMiner:
    """Streaming template miner shared by find_error_patterns, digest-logs and the alert function.

    ``add(message) -> key``: the key (an int, stable for the miner's life) names the message's masked shape.
    ``template(key)`` / ``id(key)`` give the key's template and its ``L-xxxxxxxx`` id *as mined so far* (a
    template generalises as more lines arrive); ``templates()`` lists every template with its line count, most
    frequent first. Identical masked lines are mined once (a dict), so the work follows the number of distinct
    shapes, not of lines; up to ``ROW_LIMIT`` shapes are kept, later new shapes are counted on their Drain cluster.

    ``drain``: a masked line joins a drain3 cluster; a cluster's column whose tokens differ in fewer than
    ``config.split`` ways is a constant that tells events apart ("registered new driver hub" / "... usbfs"),
    so the cluster is split on it (Brain's refinement, see ``tools.logs.brain``). ``brain``: templates of all
    shapes are computed by Brain when asked for after new shapes arrived.
    """

    def __init__(self, config: MinerConfig | None = None) -> None:
        self.config = config or DEFAULT_CONFIG
        if self.config.parser not in ("drain", "brain"):
            raise ValueError(f"unknown parser {self.config.parser!r}; known: drain, brain")
        self._mask = _MaskMemo(self.config.masking)
        self._keys: dict[str, int] = {}            # masked line -> key (row index)
        self._fast: dict[bytes, int] = {}          # digit skeleton of a message -> key (see _add_slow)
        self._fast_zero: dict[bytes, int] = {}     # the same, zeros kept, for lines with a digit before x/X
        self._fast_bytes: dict[bytes, int] = {}    # the same two for add_bytes
        self._fast_bytes_zero: dict[bytes, int] = {}
        self._rows: list[tuple[str, ...]] = []     # key -> masked tokens
        self._clusters: list[int] = []             # key -> drain cluster id
        self._members: dict[int, list[int]] = {}   # drain cluster id -> keys
        self._counts: list[int] = []               # key -> lines
        self._overflow: dict[int, int] = {}        # drain cluster id -> key for shapes beyond ROW_LIMIT
        self._dirty: set[int] = set()              # clusters whose templates must be computed again
        self._texts: dict[int, str] = {}           # key -> template (valid unless its cluster is dirty)
        self._brain = self.config.parser == "brain"
        self._brain_stale = False
        self._drain: Drain | None = None if self._brain else _bounded_drain(self.config)

    def add(self, message: str) -> int:
        """Mine one message (its first line: stack frames below it vary); returns its key."""
        data = message.encode("utf-8", "surrogatepass")
        skeleton = data.translate(_SKELETON)
        key = self._fast.get(skeleton)
        if key is None:
            key = self._add_slow(message, data, skeleton, self._fast, self._fast_zero)
        self._counts[key] += 1
        return key

    def add_bytes(self, raw: bytes) -> int:
        """``add`` for one line of a file read in binary (UTF-8; invalid bytes read as U+FFFD), without decoding it
        when a line of the same shape was seen before."""
        skeleton = raw.translate(_SKELETON)
        key = self._fast_bytes.get(skeleton)
        if key is None:
            key = self._add_slow(raw.decode("utf-8", "replace"), raw, skeleton, self._fast_bytes, self._fast_bytes_zero)
        self._counts[key] += 1
        return key

    def add_lines(self, lines: Iterable[bytes], keys: MutableSequence[int]) -> None:
        """``add_bytes`` for every line, each key appended to ``keys``: the loop of digest-logs, kept tight."""
        fast, counts, table, append = self._fast_bytes, self._counts, _SKELETON, keys.append
        for raw in lines:
            key = fast.get(raw.translate(table))
            if key is None:
                key = self.add_bytes(raw)
            else:
                counts[key] += 1
            append(key)

    def _add_slow(self, message: str, data: bytes, skeleton: bytes, fast: dict[bytes, int], fast_zero: dict[bytes, int]) -> int:
        # Lines with the same digit skeleton are masked alike (see _MaskMemo); when the masked first line keeps no
        # digit, every line of this skeleton has this key, so the next one skips masking altogether. A digit before
        # x/X may be the "0" of "0x": such lines are keyed on a skeleton that keeps their zeros.
        if b"1x" in skeleton or b"1X" in skeleton:
            skeleton, fast = data.translate(_ZERO_SKELETON), fast_zero
            key = fast.get(skeleton)
            if key is not None:
                return key
        masked = self._mask(first_line(message))
        key = self._keys.get(masked)
        if key is None:
            key = self._new_key(masked)
        if _MEMO_SAFE and _ANY_DIGIT.search(masked) is None:
            if len(fast) >= CACHE_LIMIT:
                fast.clear()
            fast[skeleton] = key
        return key

    def _new_key(self, masked: str) -> int:
        cluster = -1  # brain: one cluster
        if self._drain is not None:
            cluster = int(self._drain.add_log_message(masked)[0].cluster_id)
        if len(self._rows) >= ROW_LIMIT:
            if len(self._rows) >= 2 * ROW_LIMIT:  # beyond both bounds: one catch-all shape
                cluster, masked = _OTHER, WILDCARD
            key = self._overflow.get(cluster)
            if key is not None:
                return key
        key = len(self._rows)
        self._rows.append(tuple(masked.split()))
        self._clusters.append(cluster)
        self._counts.append(0)
        if len(self._rows) < ROW_LIMIT:
            self._keys[masked] = key
        else:
            self._overflow[cluster] = key
        self._members.setdefault(cluster, []).append(key)
        self._dirty.add(cluster)
        self._brain_stale = True
        return key

    def template(self, key: int) -> str:
        """The key's template (as mined so far)."""
        if self._brain:
            if self._brain_stale:
                self._run_brain()
        else:
            cluster = self._clusters[key]
            if cluster in self._dirty:
                self._refine(cluster)
        return self._texts[key]

    def id(self, key: int) -> str:
        return template_id(self.template(key))

    def templates(self) -> list[MinedTemplate]:
        """Every template mined so far with its line count, most frequent first (ties by id)."""
        counts: dict[str, int] = {}
        texts: dict[str, str] = {}
        for key, count in enumerate(self._counts):
            if not count:
                continue
            text = self.template(key)
            tid = template_id(text)
            counts[tid] = counts.get(tid, 0) + count
            texts.setdefault(tid, text)
        return [MinedTemplate(k, texts[k], c) for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def _refine(self, cluster: int) -> None:
        from tools.logs import brain

        members = self._members[cluster]
        rows = self._rows
        groups: list[list[int]] = []
        split = self.config.split
        if split > 2 and len(members) > 1 and len({len(rows[k]) for k in members}) == 1:
            columns = []
            for column in range(len(rows[members[0]])):
                values = {rows[k][column] for k in members}
                # a column holding a masked value is a parameter; only words that differ can be constants
                if 1 < len(values) < split and not any(WILDCARD in value for value in values):
                    columns.append(column)
            brain.refine(rows, members, columns, split, groups)
        else:
            groups.append(members)
        for group in groups:
            text = normalise_template(brain.template(rows, group))
            for key in group:
                self._texts[key] = text
        self._dirty.discard(cluster)

    def _run_brain(self) -> None:
        from tools.logs import brain

        rows = [(tokens, max(1, count)) for tokens, count in zip(self._rows, self._counts)]
        labels = brain.parse(rows, self.config.threshold)
        members: dict[int, list[int]] = {}
        for key, label in enumerate(labels):
            members.setdefault(label, []).append(key)
        for keys in members.values():
            text = normalise_template(brain.template(self._rows, keys))
            for key in keys:
                self._texts[key] = text
        self._brain_stale = False


def mine_lines(lines: Iterable[str], config: MinerConfig | None = None) -> tuple[list[MinedTemplate], list[str]]:
    """Mine messages: the templates (most frequent first) and each line's template id."""
    miner = TemplateMiner(config)
    keys = [miner.add(line) for line in lines]
    ids = {key: miner.id(key) for key in set(keys)}
    return miner.templates(), [ids[key] for key in keys]
