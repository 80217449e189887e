"""The redaction corpus (``redaction_corpus.py``) through ``redact``, ``fence`` and ``safe``.

Every planted secret is gone (and a redaction marker says so); every ordinary id an engineer needs survives
untouched, also inside a fence. Real-data false-redaction counts are in ``bench/redaction.py`` (not a test: the
tests do not read ``../shared``).
"""

from __future__ import annotations

import pytest

from tests.hardening.redaction_corpus import NEGATIVE, POSITIVE
from tools.common.safety import FENCE_CLOSE, FENCE_OPEN, fence, redact, safe, secret_key_name


def test_the_corpus_is_big_enough_and_names_are_unique() -> None:
    assert len(POSITIVE) >= 60 and len(NEGATIVE) >= 60
    names = [case[0] for case in POSITIVE + NEGATIVE]  # type: ignore[operator]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name, text, secrets", POSITIVE, ids=[case[0] for case in POSITIVE])
def test_secret_is_redacted(name: str, text: str, secrets: list[str]) -> None:
    cleaned = redact(text)
    fenced = fence(text, limit=100_000)
    for secret in secrets:
        assert secret not in cleaned, f"{name}: {secret!r} survived in {cleaned!r}"
        assert secret not in fenced and secret not in safe(text)
    assert "[REDACTED" in cleaned
    assert redact(cleaned) == cleaned, "redaction is idempotent"
    assert fenced.startswith(FENCE_OPEN) and fenced.endswith(FENCE_CLOSE) and "\n" not in fenced


@pytest.mark.parametrize("name, text", NEGATIVE, ids=[case[0] for case in NEGATIVE])
def test_ordinary_id_survives(name: str, text: str) -> None:
    assert redact(text) == text
    one_line = text.replace("\n", "⏎")
    assert fence(text, limit=100_000) == FENCE_OPEN + one_line + FENCE_CLOSE


def test_ids_next_to_a_secret_survive() -> None:
    line = ("2026-11-20T09:41:02Z ERROR requestId=4f1c8f1e-8b6a-4c84-9d1e-2b7f1c3a9e10 trace=1-5f84c7a1-6b8e0f4c3d2a1b0c9d8e7f6a "
            "role=arn:aws:iam::123456789012:role/checkout password=Hunter22x sg=sg-0123456789abcdef0")
    cleaned = redact(line)
    assert "Hunter22x" not in cleaned
    for keep in ("4f1c8f1e-8b6a-4c84-9d1e-2b7f1c3a9e10", "1-5f84c7a1-6b8e0f4c3d2a1b0c9d8e7f6a",
                 "arn:aws:iam::123456789012:role/checkout", "sg-0123456789abcdef0"):
        assert keep in cleaned


@pytest.mark.parametrize("name, secret", [
    ("db_password", True), ("masterUserPassword", True), ("x-api-key", True), ("X-Amz-Security-Token", True),
    ("AWS_SECRET_ACCESS_KEY", True), ("SecretAccessKey", True), ("client_secret", True), ("secretString", True),
    ("secret-key", True), ("Pwd", True), ("minimumPasswordLength", False), ("secretId", False), ("nextToken", False),
    ("clientToken", False), ("key", False), ("api_key_id", False), ("tokenType", False), ("compass", False),
])
def test_secret_key_names(name: str, secret: bool) -> None:
    assert secret_key_name(name) is secret


@pytest.mark.parametrize("shape", ['a="', 'password="', "http://a:b@", "k: ", '{"password": "x", ', "bearer ", "x", "token="])
def test_long_adversarial_inputs_stay_fast(shape: str) -> None:
    """A 100 kB line made of one repeated shape (many keys, open quotes, '@' and '://') is redacted in linear time."""
    import time

    text = shape * (100_000 // len(shape))
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 1.0, "a redaction rule went quadratic on this shape"
