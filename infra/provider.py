"""Import only the AWS provider submodules the stack uses.

``cdktf_cdktf_provider_aws/__init__.py`` imports all ~2,100 resource modules (about 20 s and several
hundred MB). Registering the package without running its ``__init__`` and importing the needed
submodules directly cuts the synth from ~25 s to ~3 s; each submodule still loads the jsii assembly
itself through ``.._jsii``, so the generated classes are the same.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType

PACKAGE = "cdktf_cdktf_provider_aws"


def _register_package() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None:
        raise ImportError(f"{PACKAGE} is not installed (pip install -r requirements-dev.txt)")
    sys.modules[PACKAGE] = importlib.util.module_from_spec(spec)  # __path__ set, __init__ not executed


def aws(module: str) -> ModuleType:
    """The provider submodule ``module`` (e.g. ``"lambda_function"``), importing nothing else."""
    _register_package()
    return importlib.import_module(f"{PACKAGE}.{module}")
