"""Brain (Yu et al., "Brain: Log Parsing with Bidirectional Parallel Tree", IEEE TSC 2023), from the paper.

Input: the distinct masked messages, each split into tokens, with how often it occurred. Per token count:

1. **Word frequency.** Every (position, token) pair is counted over all messages of that length (weighted by
   occurrences).
2. **Longest common pattern (initial groups).** In each message, the tokens are grouped by their frequency; the
   largest such set (ties: the more frequent one) is the message's longest common pattern, and messages that
   share it (same positions, same tokens) form one initial group, the root of a tree.
3. **Bidirectional refinement.** In a group, every other position is a column. A column holding at least
   ``threshold`` distinct tokens is a variable; a column with fewer splits the group by its token, the
   column with the fewest distinct tokens first, and the sub-groups are refined again. (The paper grows the tree
   in two directions, "parent" columns more frequent than the root and "child" columns less frequent; both are
   refined with the same distinct-token rule here, so a frequent column like GET/POST also separates.)
4. **Templates.** A position whose token is the same in every message of a final group is constant, otherwise
   ``<*>``.

The work is proportional to the number of distinct masked messages, not to the number of lines.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

WILDCARD = "<*>"


def parse(rows: Sequence[tuple[tuple[str, ...], int]], threshold: int) -> list[int]:
    """The group of every row (``(tokens, occurrences)``); groups are numbered 0.. in order of first row."""
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, (tokens, _count) in enumerate(rows):
        by_length[len(tokens)].append(index)
    labels = [-1] * len(rows)
    next_label = 0
    for length in sorted(by_length):
        members = by_length[length]
        for group in _length_groups(rows, members, length, threshold):
            for index in group:
                labels[index] = next_label
            next_label += 1
    # renumber in order of first row, so labels do not depend on how lengths were visited
    renumber: dict[int, int] = {}
    return [renumber.setdefault(label, len(renumber)) for label in labels]


def _length_groups(rows: Sequence[tuple[tuple[str, ...], int]], members: list[int], length: int,
                   threshold: int) -> list[list[int]]:
    frequency: Counter[tuple[int, str]] = Counter()
    for index in members:
        tokens, count = rows[index]
        for position, token in enumerate(tokens):
            frequency[(position, token)] += count
    roots: dict[tuple[tuple[int, str], ...], list[int]] = defaultdict(list)
    for index in members:
        tokens = rows[index][0]
        freqs = [frequency[(position, token)] for position, token in enumerate(tokens)]
        if not freqs:
            roots[()].append(index)
            continue
        sizes = Counter(freqs)
        root_frequency = max(sizes, key=lambda f: (sizes[f], f))
        root = tuple((p, t) for p, t in enumerate(tokens) if freqs[p] == root_frequency)
        roots[root].append(index)
    groups: list[list[int]] = []
    for root, group in roots.items():
        fixed = {position for position, _token in root}
        columns = [position for position in range(length) if position not in fixed]
        refine([tokens for tokens, _count in rows], group, columns, threshold, groups)
    return groups


def refine(rows: Sequence[tuple[str, ...]], group: list[int], columns: list[int], threshold: int,
           out: list[list[int]]) -> None:
    """Split ``group`` on its low-cardinality columns (fewest distinct tokens first), recursively."""
    stack = [(group, columns)]
    while stack:
        members, candidates = stack.pop()
        distinct = {c: {rows[i][c] for i in members} for c in candidates}
        splitting = [c for c in candidates if 1 < len(distinct[c]) < threshold]
        if not splitting:
            out.append(members)
            continue
        column = min(splitting, key=lambda c: (len(distinct[c]), c))
        remaining = [c for c in candidates if c != column and len(distinct[c]) > 1]  # judged again in each part
        parts: dict[str, list[int]] = defaultdict(list)
        for index in members:
            parts[rows[index][column]].append(index)
        for part in parts.values():
            stack.append((part, remaining))


def template(rows: Sequence[tuple[str, ...]], members: Sequence[int]) -> str:
    """The template of a group (token rows of one length): the tokens all members share at a position; where they
    differ, ``<*>`` inside the punctuation they all open and close with (``<*>,`` from ``10.0.0.1,`` and ``LOCAL(0),``)."""
    first = rows[members[0]]
    differ = [False] * len(first)
    for index in members[1:]:
        for position, token in enumerate(rows[index]):
            if not differ[position] and first[position] != token:
                differ[position] = True
    tokens = list(first)
    for position, varies in enumerate(differ):
        if varies:
            column = [rows[index][position] for index in members]
            tokens[position] = (_common(column, _OPENERS, WILDCARD) + WILDCARD
                                + _common([t[::-1] for t in column], _CLOSERS, WILDCARD[::-1])[::-1])
    return " ".join(tokens)


_OPENERS = frozenset("([{'\"<")
_CLOSERS = frozenset(")]}'\">,;:.")


def _common(tokens: list[str], allowed: frozenset[str], wildcard: str) -> str:
    """The longest prefix of punctuation in ``allowed`` shared by every token (shorter than each; never a part of
    a ``wildcard`` one of them holds there)."""
    prefix = ""
    shortest = min(len(t) for t in tokens)
    for position in range(shortest - 1):
        char = tokens[0][position]
        if char not in allowed or any(t[position] != char or t.startswith(wildcard, position) for t in tokens):
            break
        prefix += char
    return prefix
