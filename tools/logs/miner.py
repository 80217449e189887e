"""Template mining: one configuration of drain3 shared by find_error_patterns, search_logs and digest-logs.

Messages are first masked by one combined regular expression (timestamps, UUIDs, ARNs, emails, IPs, hex,
request ids, numbers, paths with ids), so variable values never split one kind of error into several
patterns; drain3's ``Drain`` then groups the masked token sequences. Identical masked lines skip Drain (a
bounded cache), which keeps throughput high on real logs where most lines repeat a few shapes.

A template's id is ``evidence_id("logs", template)`` ("L-xxxxxxxx"): the same text gives the same id in every
tool and every call, and clusters whose final templates coincide are one pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.common.evidence import evidence_id
from tools.logs.matching import escape_literal

if TYPE_CHECKING:  # drain3 is imported lazily (cold start)
    from drain3.drain import Drain

# --- the one miner configuration -----------------------------------------------------------

SIM_THRESHOLD = 0.6
DEPTH = 5
MAX_CHILDREN = 100
MAX_CLUSTERS = 20_000  # LRU bound of drain3; an evicted cluster's template falls back to its masked example
CACHE_LIMIT = 200_000
CANDIDATES = 64  # clusters of one tree leaf compared with a message (oldest and newest halves): bounds the work
EXTRA_DELIMITERS: tuple[str, ...] = ()
WILDCARD = "<*>"

# Ordered alternatives: the first that matches at a position wins (longer, more specific shapes first).
_MASKS: tuple[tuple[str, str], ...] = (
    ("TS", r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"),
    ("DATE", r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
             r"\s+\d{1,2}(?:,?\s+\d{4})?(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?)?(?:\s+\d{4})?\b"),
    ("UUID", r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
    ("ARN", r"\barn:aws[\w-]*:[\w-]*:[\w-]*:\d{0,12}:[^\s\"',;)\]]+"),
    ("EMAIL", r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    ("PAREN", r"(?<=\s)\((?:[^()\s]*[\d.][^()\s]*)?\)(?=\s|$)"),  # a parenthesised value, or an empty one
    ("HOST", r"\(?\b(?:[A-Za-z0-9-]+\.)+(?:com|net|org|edu|gov|mil|int|io|info|biz|us|uk|de|fr|jp|cn|hk|ru|br|in|au|"
             r"kr|tw|nl|local|internal|localdomain|lan)\b(?![.\w])(?::\d{1,5})?\)?"),  # not java.net.Foo
    ("IP", r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w.])"),
    ("HEX", r"\b0[xX][0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"),
    ("CLOCK", r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"),
    ("LONG", r"[\w+/=-]{40,}"),  # payloads, base64, long tokens
    # Any other token holding a digit: request ids, block ids, host:port, versions, sizes, paths with ids.
    ("ID", r"(?<![\w<>*])[\w.:/@#$%+-]*\d[\w.:/@#$%+-]*"),
)
# Every mask starts at a token boundary, in a token that holds a digit, @ . : ( or starts a date: the leading
# look-around lets the engine skip plain words fast.
_MASK_START = r"(?<!\w)(?=\S*[\d@.:(]|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)|[\w+/=-]{40})"
_MASK_RE = re.compile(_MASK_START + "(?:" + "|".join(f"(?:{pattern})" for _name, pattern in _MASKS) + ")")
_TOKEN_RE = re.compile(r"<[A-Za-z]+(?:-\d+)?>|<\*>")
_SPACES = re.compile(r"\s+")
_KEY_VALUE = re.compile(r"(?<=[\w\]])(=)(?=[^\s=])")
_RUNS = re.compile(r"<\*>(?:[\s:/._-]*<\*>)+")


def mask(message: str) -> str:
    """The message with every variable value replaced by ``<*>`` (``key=value`` split so values stand alone)."""
    if "=" in message:  # the key=value split is a no-op without "=" (and costly: it cannot skip ahead)
        message = _KEY_VALUE.sub(r"\1 ", message)
    return _RUNS.sub(WILDCARD, _MASK_RE.sub(WILDCARD, message))


# --- memoised masking ------------------------------------------------------------------------
# Every character class and literal of the three masking expressions treats all ASCII digits alike, except the
# literal "0" of the hexadecimal "0x" prefix; so two lines that differ only in which ASCII digits they hold
# (same "skeleton" with every digit written 1) are masked at the same places, and when the masked line keeps
# no digit at all, both give the same masked line. The "0" only matters before an "x"/"X": lines with a digit
# before x/X are not memoised. This is what lets 150,000 error lines that differ in ids, times and addresses
# be masked a few hundred times instead of 150,000 times.

_SKELETON = bytes.maketrans(b"0123456789", b"1111111111")  # on UTF-8 bytes: the same as on the text, faster
_ANY_DIGIT = re.compile(r"[0-9]")


def _digit_blind() -> bool:
    """True while the masking expressions name no digit but in \\d, 0-9, counts {m,n} and the one "0[xX]"."""
    text = "".join(pattern for _name, pattern in _MASKS) + _MASK_START + _KEY_VALUE.pattern + _RUNS.pattern
    return _ANY_DIGIT.search(re.sub(r"\{\d+(?:,\d*)?\}|0-9|\\b0\[xX\]", "", text)) is None


_MEMO_SAFE = _digit_blind()  # an edit that breaks the argument above turns the memo off, never wrong


class _MaskMemo:
    """``mask`` with the skeleton memo above; bounded like the miner's cache."""

    def __init__(self) -> None:
        self._masked: dict[bytes, str] = {}

    def __call__(self, line: str) -> str:
        if not _MEMO_SAFE:
            return mask(line)
        skeleton = line.encode("utf-8", "surrogatepass").translate(_SKELETON)
        masked = self._masked.get(skeleton)
        if masked is not None:
            return masked
        masked = mask(line)
        if b"1x" not in skeleton and b"1X" not in skeleton and _ANY_DIGIT.search(masked) is None:
            if len(self._masked) >= CACHE_LIMIT:
                self._masked.clear()
            self._masked[skeleton] = masked
        return masked


def first_line(message: str) -> str:
    """The first non-empty line of a (possibly multi-line) message, bounded to 2000 characters."""
    for line in message.splitlines():
        if line.strip():
            return line[:2000]
    return ""


def normalise_template(template: str) -> str:
    """A template with any dynamic-token spelling (``<*>``, ``<Token-1>``, ``<IP-2>``) as ``<*>``."""
    return _SPACES.sub(" ", _TOKEN_RE.sub(WILDCARD, template)).strip()


def template_id(template: str) -> str:
    """The stable evidence id of a template: ``L-xxxxxxxx``."""
    return evidence_id("logs", normalise_template(template))


def template_regex(template: str) -> str:
    """A regular expression matching the lines of ``template``.

    Literal text is escaped; ``<*>`` becomes ``.*?``; tokens are joined by ``\\s*`` because masking may have
    split ``key=value`` into two tokens.
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


def _bounded_drain() -> Drain:
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
        depth=DEPTH,
        sim_th=SIM_THRESHOLD,
        max_children=MAX_CHILDREN,
        max_clusters=MAX_CLUSTERS,
        extra_delimiters=EXTRA_DELIMITERS,
        param_str=WILDCARD,
        parametrize_numeric_tokens=True,
    )


class TemplateMiner:
    """Streaming template miner: ``add(message) -> cluster key``; ``template(key)`` and ``id(key)`` at any time."""

    def __init__(self) -> None:
        self._drain: Drain = _bounded_drain()
        self._cache: dict[str, int] = {}
        self._mask = _MaskMemo()

    def add(self, message: str) -> int:
        """Mine one message (its first line: stack frames below it vary); returns its cluster key."""
        masked = self._mask(first_line(message))
        key = self._cache.get(masked)
        if key is not None and self._drain.id_to_cluster.get(key) is not None:
            return key
        cluster, _change = self._drain.add_log_message(masked)
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[masked] = cluster.cluster_id
        return cluster.cluster_id

    def template(self, key: int, example: str | None = None) -> str:
        """The cluster's template; for a cluster drain3 evicted (LRU), the masked ``example`` line."""
        cluster: Any = self._drain.id_to_cluster.get(key)
        if cluster is not None:
            return normalise_template(cluster.get_template())
        return normalise_template(mask(first_line(example))) if example else WILDCARD

    def id(self, key: int, example: str | None = None) -> str:
        return template_id(self.template(key, example))


def mine_lines(lines: list[str]) -> tuple[list[MinedTemplate], list[str]]:
    """Mine a list of messages: the templates (most frequent first) and each line's template id."""
    miner = TemplateMiner()
    keys = [miner.add(line) for line in lines]
    examples: dict[int, str] = {}
    for key, line in zip(keys, lines):
        examples.setdefault(key, line)
    ids = {key: miner.id(key, example) for key, example in examples.items()}
    assignments = [ids[key] for key in keys]
    counts: dict[str, int] = {}
    texts: dict[str, str] = {}
    for template_key, cluster_key in zip(assignments, keys):
        if template_key in counts:
            counts[template_key] += 1
        else:
            counts[template_key] = 1
            texts[template_key] = miner.template(cluster_key, examples[cluster_key])
    templates = [MinedTemplate(k, texts[k], c) for k, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return templates, assignments
