"""The accuracy measures and the leave-one-system-out choice of bench/ (on small made-up data)."""

from __future__ import annotations

from bench._loghub import grouping_accuracy, normal, parsing_accuracy, template_f1
from bench.logs_loso import choose, loso
from tools.logs.miner import MinerConfig


def test_grouping_accuracy_counts_lines_of_exactly_right_groups() -> None:
    truth = ["A", "A", "B", "B", "C"]
    assert grouping_accuracy(truth, ["x", "x", "y", "y", "z"]) == 1.0
    assert grouping_accuracy(truth, ["x", "x", "y", "z", "z"]) == 0.4  # B split, C merged: only A's two lines
    assert grouping_accuracy([], []) == 0.0


def test_parsing_accuracy_and_template_f1_compare_normalised_text() -> None:
    assert normal("from <*>: <*>:  Bye") == normal("from <*>:  Bye") == "from <*>: Bye"
    truth, texts = ["A", "A", "B"], ["open <*>", "open <*>", "close <*>.<*>"]
    predicted, predicted_texts = ["x", "x", "y"], ["open <*>", "open <*>", "close <*>"]
    assert parsing_accuracy(texts, predicted_texts) == 1.0
    assert template_f1(truth, texts, predicted, predicted_texts) == 1.0
    assert template_f1(truth, texts, ["x", "x", "x"], ["open <*>"] * 3) == 0.0


def test_a_held_out_system_never_takes_part_in_choosing_its_configuration() -> None:
    good_elsewhere, good_here = MinerConfig(depth=4), MinerConfig(depth=6)
    systems = ["s1", "s2", "s3"]
    table = {(good_elsewhere, s): (0.9, 0.5, 0.5) for s in systems}
    table.update({(good_here, s): (0.1, 0.1, 0.1) for s in systems})
    table[good_here, "s3"] = (1.0, 1.0, 1.0)
    assert choose(table, [good_elsewhere, good_here], ["s1", "s2"]) == good_elsewhere
    rows = loso(table, [good_elsewhere, good_here], systems)
    assert [(name, config) for name, config, _ in rows] == [(s, good_elsewhere) for s in systems]
    assert rows[2][2] == (0.9, 0.5, 0.5)
