"""What every resource module needs: the stack, the validated config, the scope, names and shared resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from constructs import Construct

from infra.naming import Names, Scope
from tools.common.config import Config




@dataclass
class Context:
    stack: Construct
    cfg: Config
    scope: Scope
    names: Names
    shared: dict[str, Any] = field(default_factory=dict)  # resources one module makes and another uses
