"""Confidence bands: fitted from benchmark results on the Wilson lower bound of precision, refittable leaving one
kind out (``tools.triage.calibration``), applied while ranking."""

from __future__ import annotations

from tools.triage import calibration, confidence
from tools.triage.confidence import Bands, fit_bands, level, wilson_lower


def test_wilson_lower_bound_promises_less_than_the_raw_share() -> None:
    assert wilson_lower(19, 20) < 0.95 <= wilson_lower(56, 57)
    assert wilson_lower(0, 0) == 0.0


def test_high_band_ends_above_the_first_cluster_of_wrong_answers() -> None:
    results = [(2.0 - i * 0.01, True) for i in range(60)] + [(1.3, False), (1.29, False)] + [(1.0 - i * 0.01, True) for i in range(40)]
    bands = fit_bands(results)
    assert bands.high >= 1.3  # never reaches past the wrong answers, though precision recovers below them
    assert level(1.5, bands) == "high" and level(1.29, bands) == "medium" and level(0.9, bands) == "medium"


def test_too_few_results_keep_the_documented_bands() -> None:
    assert fit_bands([(1.0, True)] * 3) == confidence.DEFAULT


def test_calibration_hook_fits_from_samples_and_applies_while_ranking() -> None:
    samples = [{"kind": "k", "control": False, "hypotheses": [{"confidence_value": 2.0 - i * 0.01, "correct": True}]} for i in range(40)]
    samples += [{"kind": "c", "control": True, "hypotheses": [{"confidence_value": 1.5, "correct": False}]}]
    bands = calibration.fit(samples)
    assert bands.high > 1.5  # a control's top hypothesis counts as wrong
    with calibration.applied(Bands(high=9.0, medium=8.0)):
        assert level(5.0) == "low"
    assert confidence.current() == confidence.DEFAULT


def test_relabel_applies_bands_to_a_report_without_triaging_again() -> None:
    hypotheses = [{"confidence": "medium", "confidence_value": 1.2}, {"confidence": "low", "confidence_value": 1.1},
                  {"confidence": "low", "confidence_value": 0.05}]
    assert calibration.relabel(Bands(high=1.0, medium=0.3), hypotheses) == ["high", "low", "low"]
    assert calibration.relabel(Bands(high=2.0, medium=0.3), hypotheses)[0] == "medium"


def test_no_control_window_falls_in_the_fitted_high_band_even_when_precision_would_allow_it() -> None:
    # 200 right answers and one control window in their midst: 95 % precision alone would put `high` below the
    # control; the fit starts `high` strictly above it (no false alarm may be stated `high`)
    samples = [{"kind": "k", "control": False, "hypotheses": [{"confidence_value": 2.0 - i * 0.01, "correct": True}]}
               for i in range(200)]
    samples.append({"kind": "quiet", "control": True, "hypotheses": [{"confidence_value": 0.905, "correct": False}]})
    bands = calibration.fit(samples)
    assert level(0.905, bands) != "high" and bands.high <= 0.92
    assert fit_bands([(v, True) for v in (2.0 - i * 0.01 for i in range(200))], above=0.905).high == bands.high
