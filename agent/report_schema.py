"""The triage report's JSON Schema (``agent/triage-report.schema.json``), its source enum generated from the
source registry (``tools.sources``).

The committed file is the shared contract other programs read, unchanged (the team's interface spec; ``tests/triage``
checks that it equals that spec and ``report_schema()``, so registering a source without updating the file fails
loudly). ``python -m agent.report_schema`` rewrites the file from the registry.

Fields this implementation adds (runbooks on a hypothesis, ``similar_incidents``) are optional extras that the
contract allows; their shape is ``agent/triage-report.extensions.schema.json`` (``extensions_schema()``), and an
enriched report must be valid against both.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from tools import sources

SCHEMA_PATH = Path(__file__).with_name("triage-report.schema.json")
EXTENSIONS_PATH = Path(__file__).with_name("triage-report.extensions.schema.json")


@lru_cache(maxsize=1)
def _committed() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def report_schema() -> dict[str, Any]:
    """The committed schema with ``evidence[].source`` listing every registered feed, in registry order."""
    schema = copy.deepcopy(_committed())
    evidence = schema["properties"]["hypotheses"]["items"]["properties"]["evidence"]["items"]
    evidence["properties"]["source"]["enum"] = [feed.name for feed in sources.registry().feeds()]
    return schema


def extensions_schema() -> dict[str, Any]:
    """The optional fields beyond the shared contract (runbooks, similar incidents)."""
    return json.loads(EXTENSIONS_PATH.read_text(encoding="utf-8"))


def main() -> None:
    SCHEMA_PATH.write_text(json.dumps(report_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")


if __name__ == "__main__":
    main()
