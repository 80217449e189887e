"""The incident corpus: seeded, randomized incident snapshots with ground truth, for measuring triage.

``build_case(kind, variant, out)`` writes one snapshot (``snapshot-format.md``) through the scenario
``Workload``/``SnapshotBuilder`` machinery and returns its ``Truth``; ``truth.matches(hypothesis, truth)`` is the
one scorer the bench (``bench/triage_accuracy.py``) and the tests use. Kinds, their categories and the public
taxonomies they come from are listed in ``kinds.py``; see also docs/triage.md ("The incident corpus").
"""

from agent.scenarios.corpus.generate import BASE_SEED, Case, build_case, iter_cases, map_cases
from agent.scenarios.corpus.kinds import ALL, CONTROLS, KINDS
from agent.scenarios.corpus.truth import Truth, control_ok, matches, rank_of_truth

__all__ = ["ALL", "BASE_SEED", "CONTROLS", "Case", "KINDS", "Truth", "build_case", "control_ok", "iter_cases", "map_cases", "matches",
           "rank_of_truth"]
