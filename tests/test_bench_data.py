"""bench/ finds the shared data in one place (bench/_data.py) and says in one line what to set when it is absent;
make bench never overwrites docs/performance.md with a run that had no data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import _data, run_all


def test_the_data_folder_is_the_variable_or_shared_data_beside_the_repository(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(_data.ENV, raising=False)
    assert _data.shared_data() == Path(run_all.ROOT).parent / "shared" / "data"
    monkeypatch.setenv(_data.ENV, str(tmp_path))
    assert _data.shared_data() == tmp_path


def test_a_missing_corpus_is_one_line_naming_the_variable(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(_data.ENV, str(tmp_path))
    (tmp_path / "nab_aws").mkdir()
    assert _data.absent("nab_aws", data=tmp_path) is None
    reason = _data.absent("nab_aws", "loghub_2k_corrected", data=tmp_path)
    assert reason is not None and "\n" not in reason
    assert "loghub_2k_corrected not found" in reason and "nab_aws not" not in reason
    assert str(tmp_path) in reason and "set OPSAGENT_SHARED_DATA" in reason
    gone = _data.absent("nab_aws", data=tmp_path / "nowhere")
    assert gone is not None and gone.startswith(f"no shared data at {tmp_path / 'nowhere'}") and "\n" not in gone


def test_make_bench_without_the_data_runs_nothing_and_keeps_the_figures(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setattr(run_all, "DATA", tmp_path / "nowhere")
    out = tmp_path / "performance.md"
    out.write_text("the last figures\n")
    assert run_all.main(["--out", str(out)]) == 2
    assert out.read_text() == "the last figures\n"
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "OPSAGENT_SHARED_DATA" in line and "loghub_2k_corrected" in line and "nothing run" in line


def test_an_unknown_script_name_is_refused(capsys) -> None:
    assert run_all.main(["--only", "no_such_bench"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "no_such_bench" in line and "cold_start" in line


def test_a_script_whose_corpus_is_missing_is_skipped_with_the_reason(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(run_all, "DATA", tmp_path)
    [script] = [s for s in run_all.SCRIPTS if s.name == "logs_loso"]
    status, seconds, output = run_all.run(script)
    assert status == "skipped" and seconds == 0.0
    assert output.startswith("skipped: loghub_2k_corrected not found") and "OPSAGENT_SHARED_DATA" in output


@pytest.mark.parametrize("module", ["_loghub", "metrics_detection", "triage_external", "redaction", "run_all"])
def test_every_bench_module_reads_the_one_data_folder(module: str) -> None:
    import importlib

    loaded = importlib.import_module(f"bench.{module}")
    assert loaded.DATA is _data.DATA
