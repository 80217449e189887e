"""The shared template miner and the digest-logs command."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.cli import main
from tools.logs import brain
from tools.logs.miner import MinerConfig, TemplateMiner, mask, mine_lines, normalise_template, template_id, template_regex


def test_mask_hides_every_kind_of_variable_value() -> None:
    line = (
        "2026-11-20T09:41:01.123Z req 7f3a9c2e-1b2c-4d5e-8f90-123456789abc from 10.0.3.17:443 user bob@example.com "
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders id=48213 hex 0x7ffe3a sha deadbeef1234 path /orders/991"
    )
    masked = normalise_template(mask(line))
    for value in ("2026-11-20", "7f3a9c2e", "10.0.3.17", "bob@example.com", "123456789012", "48213", "0x7ffe3a", "deadbeef1234", "991"):
        assert value not in masked
    assert masked == "<*> req <*> from <*> user <*> id=<*> hex <*> sha <*> path <*>"  # adjacent values collapse


def test_one_kind_of_error_is_one_pattern() -> None:
    lines = [
        f"ERROR Timeout calling http://10.0.{i}.5:8080/orders/{1000 + i} after {200 + i}ms (request {i:08x}-aa)" for i in range(50)
    ] + [f"INFO started worker {i}" for i in range(5)]
    templates, assignments = mine_lines(lines)
    assert len(templates) == 2
    assert len(set(assignments[:50])) == 1 and len(assignments) == 55
    assert all(re.fullmatch(r"L-[0-9a-f]{8}", t.id) for t in templates)


def test_template_regex_matches_the_lines_of_its_template() -> None:
    lines = [f"WARN retry {n} for key=order-{n} [shard {n % 3}] failed: HTTP 503" for n in range(20)]
    templates, _ = mine_lines(lines)
    regex = re.compile(template_regex(templates[0].template))
    assert all(regex.fullmatch(line) for line in lines)


def test_insights_token_spellings_normalise_to_the_same_id() -> None:
    assert normalise_template("Connect to <IP-1> failed after <Token-2>  ms") == "Connect to <*> failed after <*> ms"
    assert template_id("a <Token-1> b") == template_id("a <*> b")


def _write(tmp_path: Path, lines: list[str], gz: bool = False) -> Path:
    path = tmp_path / ("app.log.gz" if gz else "app.log")
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_digest_logs_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str], gz: bool) -> None:
    lines = [f"session {i} opened for user u{i}" for i in range(10)] + ["disk full on /dev/sda1", "disk full on /dev/sdb2"]
    assert main(["digest-logs", str(_write(tmp_path, lines, gz)), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"templates", "assignments"}
    assert len(out["assignments"]) == len(lines)
    ids = {t["id"] for t in out["templates"]}
    assert set(out["assignments"]) == ids
    assert sum(t["count"] for t in out["templates"]) == len(lines)
    assert all(set(t) == {"id", "template", "count"} for t in out["templates"])
    assert out["assignments"][0] == out["assignments"][9] != out["assignments"][10]


def test_digest_logs_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest-logs", str(_write(tmp_path, ["a 1", "a 2", "b x"]))]) == 0
    out = capsys.readouterr().out
    assert "3 lines, 2 templates" in out and "a <*>" in out


def test_digest_logs_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest-logs", str(tmp_path / "nope.log"), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nope.log" in err


def test_digest_logs_corrupt_gzip_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.log.gz"
    path.write_bytes(b"not gzip at all")
    assert main(["digest-logs", str(path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_different_exception_classes_are_different_patterns() -> None:
    lines = [f"ERROR call {n} failed: {kind}: service busy" for n in range(5) for kind in ("java.net.SocketTimeoutException", "java.io.EOFException")]
    templates, _ = mine_lines(lines)
    assert sorted(t.count for t in templates) == [5, 5]
    assert {t.template.split(": ")[1] for t in templates} == {"java.net.SocketTimeoutException", "java.io.EOFException"}


def test_evicted_clusters_keep_a_template_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.logs import miner

    monkeypatch.setattr(miner, "MAX_CLUSTERS", 2)
    lines = [f"{word} happened here {n}" for n, word in enumerate(["alpha", "bravo", "charlie", "delta", "echo"])]
    templates, assignments = mine_lines(lines)
    assert len(templates) == 5 and "<*>" not in {t.template for t in templates}
    assert templates[0].template.endswith("happened here <*>")


def test_a_word_column_with_few_values_tells_events_apart() -> None:
    lines = [f"Session {n} initialized by client WindowsUpdateAgent" for n in range(40)] + ["Session 99 initialized by client SPP"]
    lines += [f"registered new driver {name}" for name in ("hub", "usbfs")]
    templates, assignments = mine_lines(lines)
    assert {t.template: t.count for t in templates} == {
        "Session <*> initialized by client WindowsUpdateAgent": 40, "Session <*> initialized by client SPP": 1,
        "registered new driver hub": 1, "registered new driver usbfs": 1}
    assert assignments[0] == assignments[39] != assignments[40]


def test_a_column_of_many_words_or_of_masked_values_is_a_variable() -> None:
    users = ["root", "admin", "oracle", "support", "test", "guest"]
    lines = [f"Invalid user {u} from 10.0.0.{n}" for n, u in enumerate(users)]
    lines += [f"synchronized to 10.100.28.{n}, stratum 3" for n in range(30)] + ["synchronized to LOCAL(0), stratum 10"]
    templates, _ = mine_lines(lines)
    assert {t.template: t.count for t in templates} == {"Invalid user <*> from <*>": 6, "synchronized to <*>, stratum <*>": 31}


def test_without_the_split_drain_merges_one_word_differences() -> None:
    lines = ["registered new driver hub", "registered new driver usbfs"]
    templates, _ = mine_lines(lines, MinerConfig(split=0))
    assert [t.template for t in templates] == ["registered new driver <*>"]


def test_miner_keys_are_stable_and_templates_generalise() -> None:
    miner = TemplateMiner()
    first = miner.add("worker alpha started in 12ms")
    assert miner.template(first) == "worker alpha started in <*>"
    for name in ("bravo", "charlie", "delta", "echo"):
        miner.add(f"worker {name} started in 3ms")
    assert miner.add("worker alpha started in 99ms") == first
    assert miner.template(first) == "worker <*> started in <*>"
    assert [(t.template, t.count) for t in miner.templates()] == [("worker <*> started in <*>", 6)]
    assert miner.id(first) == template_id("worker <*> started in <*>")


def test_brain_groups_by_longest_common_pattern_and_refines_columns() -> None:
    rows = [(("open", "file", name, "ok"), 5) for name in ("a", "b", "c", "d", "e", "f")]
    rows += [(("close", "file", "x", "ok"), 3), (("close", "file", "y", "ok"), 1)]
    labels = brain.parse(rows, threshold=4)
    assert labels[:6] == [0] * 6 and labels[6] != labels[7]
    assert brain.template([r for r, _ in rows], [0, 1, 2]) == "open file <*> ok"


def test_brain_parser_serves_the_same_api() -> None:
    lines = [f"open file f{n}.txt ok" for n in range(10)] + ["disk full on /dev/sda1"]
    templates, assignments = mine_lines(lines, MinerConfig(parser="brain"))
    assert {t.template: t.count for t in templates} == {"open file <*> ok": 10, "disk full on <*>": 1}
    assert len(set(assignments)) == 2


def test_unknown_parser_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown parser"):
        TemplateMiner(MinerConfig(parser="spell"))


def test_digest_logs_reads_lines_as_text_mode_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes(b"job 1 done\r\njob 2 done\rjob 3 done\n\xff\xfe bad bytes 4\njob 5 done\r")
    assert main(["digest-logs", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(out["assignments"]) == len(text) == 5
    templates, ids = mine_lines(text)
    assert out["assignments"] == ids
    assert {t["template"]: t["count"] for t in out["templates"]} == {t.template: t.count for t in templates}
    assert out["assignments"][0] == out["assignments"][1] == out["assignments"][4] != out["assignments"][3]


def test_lines_differing_only_in_digits_share_the_cached_key_only_when_safe() -> None:
    hex_line, decimal_line = "read 0xab:cd now", "read 1xab:cd now"  # one digit skeleton, masked differently
    assert normalise_template(mask(hex_line)) != normalise_template(mask(decimal_line))
    text_miner, bytes_miner = TemplateMiner(), TemplateMiner()
    for miner, add in ((text_miner, text_miner.add), (bytes_miner, lambda line: bytes_miner.add_bytes(line.encode()))):
        hex_key = add(hex_line)
        assert add("read 0xff:cd now") == hex_key  # same shape: from the cache
        assert add(decimal_line) != hex_key  # masked apart, so never taken from the hex line's cache entry
        assert miner.template(hex_key) == "read <*> now"  # Drain then merges the two shapes


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789xX ab.:-=/", max_size=30), min_size=1, max_size=20))
def test_the_skeleton_cache_gives_the_uncached_templates(lines: list[str]) -> None:
    cached, plain = TemplateMiner(), TemplateMiner()
    plain._fast = plain._fast_zero = _NoCache()  # type: ignore[assignment]
    assert [cached.id(cached.add(line)) for line in lines + lines] == [plain.id(plain.add(line)) for line in lines + lines]


class _NoCache(dict):  # type: ignore[type-arg]
    def __setitem__(self, key: object, value: object) -> None:
        pass


def test_memory_stays_bounded_on_endless_new_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.logs import miner as miner_module

    monkeypatch.setattr(miner_module, "ROW_LIMIT", 4)
    miner = TemplateMiner()
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"]
    keys = [miner.add(f"{a} {b} {c}") for a in words for b in words for c in words[:3]]
    assert len(miner._rows) <= 2 * 4 + 1 and len(miner._keys) < 4
    assert sum(t.count for t in miner.templates()) == len(keys)
    assert all(miner.template(key) for key in keys)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"b1", b"\r", b"\n", b"\r\n", b" ", b"\xff"]), max_size=60), st.integers(1, 7))
def test_digest_logs_blocks_split_lines_as_text_mode(pieces: list[bytes], block: int) -> None:
    import io

    from agent import digest_logs as digest_command

    data = b"".join(pieces)
    expected = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace", newline=None)
    original = digest_command.READ_BYTES
    digest_command.READ_BYTES = block
    try:
        got = [line.decode("utf-8", "replace") for lines in digest_command._blocks(io.BytesIO(data)) for line in lines]
    finally:
        digest_command.READ_BYTES = original
    assert got == [line.rstrip("\n") for line in expected]
