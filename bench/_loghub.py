"""Loghub-2k corrected data and the field's accuracy measures, shared by the log-mining benchmarks.

Data: ``<system>/<system>_2k.log_structured_corrected.csv`` (``Content``, ``EventId``, ``EventTemplate``; Khan et
al., ICSE 2022 corrections) under ``$OPSAGENT_SHARED_DATA/loghub_2k_corrected``. Only the ten systems present
there are used; the others are held out on purpose.

Measures (Zhu et al., ICSE-SEIP 2019; Khan et al., ICSE 2022):
- **GA** (grouping accuracy): share of messages whose predicted group has exactly the members of their true group.
- **PA** (parsing accuracy, message level): share of messages whose predicted template is the true template.
- **FTA** (template level): F1 of template precision and recall, a template counting as correct when its group is
  exactly a true group *and* its text is that group's template.
Templates are compared after one normalisation applied to both sides: a run of ``<*>`` joined only by spaces or
``: / . _ , -`` is one ``<*>``, and white space is collapsed (predicted templates hide a value like ``1.2 KB`` as one
``<*>`` where the ground truth may write ``<*> KB`` or ``<*>.<*>``; this is the usual post-processing).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench._data import DATA, absent

CORPUS = "loghub_2k_corrected"
LOGHUB = DATA / CORPUS
SYSTEMS = ("Apache", "BGL", "HDFS", "HPC", "Hadoop", "Linux", "OpenSSH", "Proxifier", "Thunderbird", "Windows")

_RUN = re.compile(r"<\*>(?:[\s:/._,-]*<\*>)+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class System:
    name: str
    lines: list[str]
    truth: list[str]        # event id per line
    templates: list[str]    # true template per line


def load(name: str, base: Path | None = None) -> System:
    path = (base or LOGHUB) / name / f"{name}_2k.log_structured_corrected.csv"
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        rows = list(csv.DictReader(handle))
    return System(name, [r["Content"] for r in rows], [r["EventId"] for r in rows], [r["EventTemplate"] for r in rows])


def available(base: Path | None = None) -> list[str]:
    """The ten systems whose files are present (empty when the data is missing)."""
    folder = base or LOGHUB
    return [name for name in SYSTEMS if (folder / name / f"{name}_2k.log_structured_corrected.csv").is_file()]


def missing_reason(needed: int = 1) -> str:
    """Why fewer than ``needed`` systems are available, in one line naming OPSAGENT_SHARED_DATA."""
    return absent(CORPUS) or (f"fewer than {needed} of the ten systems ({', '.join(SYSTEMS)}) have "
                              f"<system>/<system>_2k.log_structured_corrected.csv under {LOGHUB}")


def normal(template: str) -> str:
    return _SPACE.sub(" ", _RUN.sub("<*>", template)).strip()


def _groups(truth: list[str], predicted: list[str]) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """The members (line numbers) of every true and every predicted group."""
    true_groups: dict[str, set[int]] = defaultdict(set)
    predicted_groups: dict[str, set[int]] = defaultdict(set)
    for index, (t, p) in enumerate(zip(truth, predicted)):
        true_groups[t].add(index)
        predicted_groups[p].add(index)
    return true_groups, predicted_groups


def grouping_accuracy(truth: list[str], predicted: list[str]) -> float:
    """Share of messages whose predicted group has exactly the members of their true group."""
    if not truth:
        return 0.0
    true_groups, predicted_groups = _groups(truth, predicted)
    correct = 0
    for members in predicted_groups.values():
        first = next(iter(members))
        if true_groups[truth[first]] == members:
            correct += len(members)
    return correct / len(truth)


def parsing_accuracy(true_templates: list[str], predicted_templates: list[str]) -> float:
    """Share of messages whose predicted template equals the true one (both normalised)."""
    if not true_templates:
        return 0.0
    cache: dict[str, str] = {}

    def norm(text: str) -> str:
        value = cache.get(text)
        if value is None:
            value = cache[text] = normal(text)
        return value

    return sum(norm(t) == norm(p) for t, p in zip(true_templates, predicted_templates)) / len(true_templates)


def template_f1(truth: list[str], true_templates: list[str], predicted: list[str], predicted_templates: list[str]) -> float:
    """FTA: F1 of precision and recall over templates (group exact and text equal)."""
    true_groups, predicted_groups = _groups(truth, predicted)
    correct = 0
    for members in predicted_groups.values():
        first = next(iter(members))
        if true_groups[truth[first]] == members and normal(true_templates[first]) == normal(predicted_templates[first]):
            correct += 1
    if not correct:
        return 0.0
    precision, recall = correct / len(predicted_groups), correct / len(true_groups)
    return 2 * precision * recall / (precision + recall)
