"""The Lambda code package: a deterministic zip of ``tools/**.py`` computed in Python at synth time, plus the
Python sources of the runtime libraries the tests ran with (Powertools and its dependencies, and the template
miner drain3 with its dependencies, so that the alert function mines with the same miner as the tools).

Same sources -> same bytes: entries sorted by path, fixed timestamp (1980-01-01), fixed permissions
(0644, Unix), fixed compression level, no directory entries, no ``__pycache__``. ``source_code_hash``
is the base64 SHA-256 of those bytes, the form Terraform's ``filebase64sha256`` gives.

Why bundle rather than use the public Powertools layer: the layer's version numbers do not map to
Powertools releases offline, its publishing account differs per partition (and China has none), so the
layer deployed was not the version tested. Bundling ships exactly the installed distributions, checked
against the pins in ``constraints.txt`` (a mismatch stops the synth). Only ``.py`` files go in: ``wrapt``
falls back to its pure-Python implementation, and drain3, jsonpickle and cachetools are pure Python, so nothing
depends on the build machine's CPU or Python. boto3/botocore come from the Lambda runtime (as the container
image does). With ``lambda.powertools_layer_arn`` set, only the miner's distributions are bundled.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--
CONSTRAINTS = REPO_ROOT / "constraints.txt"
# aws-lambda-powertools[tracer,validation] (requirements-lambda.txt) and its dependencies, minus the runtime's botocore.
POWERTOOLS_DISTRIBUTIONS = ("aws-lambda-powertools", "aws-xray-sdk", "wrapt", "jmespath", "typing-extensions",
                            "fastjsonschema")
# drain3 (requirements-lambda.txt) and the two libraries it requires: the template miner of tools.logs.miner.
MINER_DISTRIBUTIONS = ("drain3", "jsonpickle", "cachetools")
BUNDLED_DISTRIBUTIONS = POWERTOOLS_DISTRIBUTIONS + MINER_DISTRIBUTIONS


class PackagingError(RuntimeError):
    """The installed libraries are not the pinned ones (or are missing): the zip would not be what was tested."""


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-")


def pinned_versions(constraints: Path = CONSTRAINTS) -> dict[str, str]:
    """``name -> version`` from ``name==version`` lines of the constraints file."""
    pins: dict[str, str] = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep:
            pins[_normalise(name)] = version.strip()
    return pins


def dependency_files(names: tuple[str, ...] = BUNDLED_DISTRIBUTIONS,
                     pins: dict[str, str] | None = None) -> list[tuple[str, Path]]:
    """(archive name, installed file) of every ``.py`` file of the distributions, after checking their pins."""
    pins = pinned_versions() if pins is None else pins
    out: list[tuple[str, Path]] = []
    for name in names:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise PackagingError(f"{name} is not installed; run make venv (pip install -r requirements-dev.txt)") from None
        wanted = pins.get(_normalise(name))
        if wanted is None or dist.version != wanted:
            raise PackagingError(f"{name} {dist.version} is installed but constraints.txt pins {wanted}; "
                                 "reinstall the venv so the Lambda zip holds the tested version")
        for entry in dist.files or ():
            posix = entry.as_posix()
            if not posix.endswith(".py") or posix.startswith("..") or ".dist-info/" in posix or "__pycache__" in posix:
                continue
            out.append((posix, Path(str(dist.locate_file(entry)))))
    return out


@dataclass(frozen=True)
class Package:
    data: bytes
    base64_sha256: str
    files: tuple[str, ...]


def source_files(root: Path = REPO_ROOT, package: str = "tools") -> list[Path]:
    """Every ``.py`` file under ``root/package``, sorted by their archive path."""
    base = root / package
    files = [p for p in base.rglob("*.py") if "__pycache__" not in p.parts and p.is_file()]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def build_zip(root: Path = REPO_ROOT, package: str = "tools",
              dependencies: list[tuple[str, Path]] | None = None) -> Package:
    """Build the zip in memory; the result depends only on the files' paths and contents.

    ``dependencies``: extra (archive name, file) entries, e.g. ``dependency_files()`` for the Lambda zip.
    """
    buffer = io.BytesIO()
    names: list[str] = []
    entries = [(p.relative_to(root).as_posix(), p) for p in source_files(root, package)] + list(dependencies or [])
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
            names.append(name)
    data = buffer.getvalue()
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return Package(data, digest, tuple(names))


def write_zip(package: Package, target: Path) -> Path:
    """Write the bytes only when they differ, so the file's mtime moves only on real changes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_bytes() != package.data:
        target.write_bytes(package.data)
    return target
