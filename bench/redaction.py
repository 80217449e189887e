"""Redaction benchmark: precision/recall on the corpus, and false redactions of ids on the real formats.

    .venv/bin/python bench/redaction.py [--show N]

1. The corpus (``tests/hardening/redaction_corpus.py``): recall = secrets removed / secrets planted; precision =
   cases redacted that should have been / cases redacted at all (a negative case changed is a false positive).
2. The real formats under ``../shared/data`` (ALB lines, CloudTrail events, X-Ray segments, GuardDuty and Security
   Hub findings, CloudWatch Logs responses, other AWS log formats): every text line (or every JSON string value) goes
   through ``redact``; each redaction is listed with the text it removed, and counted as a *false redaction of an id*
   when that text is an id an engineer needs (ARN, UUID, trace id, resource id, hex digest, principal id, …).
   Real data holds no real credentials, so every redaction there is suspicious; the id ones are errors.
Skipped with a message when ``../shared/data`` (``OPSAGENT_SHARED_DATA``) is absent.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._data import DATA, absent  # noqa: E402
from tests.hardening.redaction_corpus import NEGATIVE, POSITIVE  # noqa: E402
from tools.common.safety import fence, redact  # noqa: E402

SOURCES = ("alb", "cloudtrail", "cloudwatch_logs", "guardduty", "securityhub", "xray", "misc_aws_log_formats")
TEXT_SUFFIXES = {".log", ".txt", ".json", ".jsonl", ".tsv", ".csv"}
ID = re.compile(
    r"^(arn:aws[\w-]*:|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|1-[0-9a-f]{8}-[0-9a-f]{24}|"
    r"Root=|(vpce|rtb|sg|subnet|i|eni|vpc|ami|vol|snap|igw|nat|tgw)-[0-9a-f]{8,17}|[0-9a-fA-F]{16,}$|"
    r"(AROA|AIDA|AGPA|ANPA|ANVA|AIPA|APKA|ASCA)[A-Z0-9]{12,}|sha256:|\d{12}$)",
    re.I,
)


def corpus() -> None:
    planted = removed = 0
    redacted_pos = 0
    for _name, text, secrets in POSITIVE:
        cleaned, fenced = redact(text), fence(text, 100_000)
        planted += len(secrets)
        removed += sum(1 for s in secrets if s not in cleaned and s not in fenced)
        redacted_pos += cleaned != text
    false_pos = [(name, redact(text)) for name, text in NEGATIVE if redact(text) != text]
    precision = redacted_pos / (redacted_pos + len(false_pos)) if redacted_pos + len(false_pos) else 1.0
    print(f"corpus: {len(POSITIVE)} positive cases ({planted} secrets), {len(NEGATIVE)} negative cases")
    print(f"  recall    {removed}/{planted} secrets removed = {removed / planted:.3f}")
    print(f"  precision {redacted_pos}/{redacted_pos + len(false_pos)} redacted cases were secret = {precision:.3f}")
    for name, cleaned in false_pos:
        print(f"  FALSE POSITIVE {name}: {cleaned[:160]}")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v)] + [f"{k}={v}" for k, v in value.items() if isinstance(v, str)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _texts(path: Path) -> list[str]:
    raw = path.read_text(errors="replace")
    if path.suffix == ".json":
        try:
            document = json.loads(raw)
        except json.JSONDecodeError:
            return raw.splitlines()
        # The string values as a digest reads them, and "key=value" for each string field.
        return _strings(document)
    return raw.splitlines()


_TOKENS = re.compile(r"[^\s\"',;{}()\[\]]+|.", re.S)


def _removed(before: str, after: str) -> list[str]:
    """The tokens of ``before`` that redaction replaced (a token diff: fast on long texts)."""
    old, new = _TOKENS.findall(before), _TOKENS.findall(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts = ["".join(old[i1:i2]) for tag, i1, i2, _j1, _j2 in matcher.get_opcodes() if tag in ("replace", "delete")]
    return [p for p in parts if p.strip()]


def real_data(show: int) -> None:
    reason = absent()
    if reason:
        print(f"real data: skipped: {reason}")
        return
    print(f"real data under {DATA}:")
    total_false = 0
    for source in SOURCES:
        folder = DATA / source
        if not folder.is_dir():
            continue
        texts = redactions = false_ids = 0
        samples: Counter[str] = Counter()
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
            for text in _texts(path):
                texts += 1
                cleaned = redact(text)
                if cleaned == text:
                    continue
                for part in _removed(text, cleaned):
                    redactions += 1
                    if ID.match(part.strip(" \"'")):
                        false_ids += 1
                        samples[f"ID  {path.relative_to(DATA)}: {part[:80]!r}"] += 1
                    else:
                        samples[f"    {path.relative_to(DATA)}: {part[:80]!r}"] += 1
        total_false += false_ids
        print(f"  {source:<22} {texts:>6} texts, {redactions:>4} redactions, {false_ids:>3} false redactions of ids")
        for sample, count in samples.most_common(show):
            print(f"      {count:>3}x {sample}")
    print(f"  total false redactions of ids: {total_false}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=5, help="redactions listed per source")
    args = parser.parse_args()
    corpus()
    real_data(args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
