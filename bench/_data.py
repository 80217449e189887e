"""Where the benchmarks read the shared data (Loghub, NAB, PetShop samples, real log formats), in one place.

``$OPSAGENT_SHARED_DATA`` when set, else ``shared/data`` beside the repository (``../shared/data``, as CI and the
worktrees at /work/<branch> have it). Nothing else is guessed: a checkout elsewhere sets the variable, and a
script whose corpus is absent says so in one line that names the variable (``absent`` gives the reason).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "OPSAGENT_SHARED_DATA"
ROOT = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """The shared data folder: ``$OPSAGENT_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    configured = os.environ.get(ENV, "").strip()
    return Path(configured).expanduser() if configured else ROOT.parent / "shared" / "data"


DATA = shared_data()


def absent(*corpora: str, data: Path | None = None) -> str | None:
    """None when every corpus folder (relative to the data folder) is there; else the reason in one line: what
    is missing, where it was looked for, and what to set."""
    base = DATA if data is None else data
    if os.environ.get(ENV, "").strip():
        where = f"{base} (${ENV})"
    else:
        where = f"{base} (../shared/data beside the repository; ${ENV} is not set)"
    wanted = ", ".join(corpora) or "the corpora"
    if not base.is_dir():
        return f"no shared data at {where}; set {ENV} to the folder holding {wanted}"
    gone = [corpus for corpus in corpora if not (base / corpus).is_dir()]
    if not gone:
        return None
    return f"{', '.join(gone)} not found in {where}; set {ENV} to the folder holding {wanted}"
