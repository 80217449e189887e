"""The Lambda code package: a deterministic zip of ``tools/**.py`` computed in Python at synth time.

Same sources -> same bytes: entries sorted by path, fixed timestamp (1980-01-01), fixed permissions
(0644, Unix), fixed compression level, no directory entries, no ``__pycache__``. ``source_code_hash``
is the base64 SHA-256 of those bytes, the form Terraform's ``filebase64sha256`` gives.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--


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


def build_zip(root: Path = REPO_ROOT, package: str = "tools") -> Package:
    """Build the zip in memory; the result depends only on the files' paths and contents."""
    buffer = io.BytesIO()
    names: list[str] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in source_files(root, package):
            name = path.relative_to(root).as_posix()
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
