"""The deterministic Lambda zip: same inputs -> same bytes and hash, regardless of mtimes and location."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import zipfile
from pathlib import Path

from infra.packaging import FIXED_DATE, build_zip, write_zip

ROOT = Path(__file__).resolve().parents[2]


def _tree(base: Path) -> Path:
    (base / "tools" / "a").mkdir(parents=True)
    (base / "tools" / "__init__.py").write_text("")
    (base / "tools" / "a" / "handler.py").write_text("def lambda_handler(e, c):\n    return e\n")
    (base / "tools" / "a" / "notes.txt").write_text("not code")
    (base / "tools" / "a" / "__pycache__").mkdir()
    (base / "tools" / "a" / "__pycache__" / "handler.cpython-311.py").write_text("x")
    return base


def test_building_twice_gives_the_same_bytes_and_hash() -> None:
    first, second = build_zip(ROOT), build_zip(ROOT)
    assert first.data == second.data
    assert first.base64_sha256 == second.base64_sha256
    assert first.base64_sha256 == base64.b64encode(hashlib.sha256(first.data).digest()).decode()


def test_mtimes_permissions_and_location_do_not_matter(tmp_path: Path) -> None:
    one = _tree(tmp_path / "one")
    two = tmp_path / "two"
    shutil.copytree(one, two)
    os.utime(two / "tools" / "a" / "handler.py", (1_000_000_000, 1_000_000_000))
    os.chmod(two / "tools" / "a" / "handler.py", 0o755)
    assert build_zip(one).data == build_zip(two).data


def test_contents_change_the_hash(tmp_path: Path) -> None:
    tree = _tree(tmp_path)
    before = build_zip(tree).base64_sha256
    (tree / "tools" / "a" / "handler.py").write_text("def lambda_handler(e, c):\n    return None\n")
    assert build_zip(tree).base64_sha256 != before


def test_only_sorted_python_sources_with_fixed_metadata(tmp_path: Path) -> None:
    package = build_zip(_tree(tmp_path))
    assert package.files == ("tools/__init__.py", "tools/a/handler.py")
    path = write_zip(package, tmp_path / "out" / "tools.zip")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == list(package.files)
        for info in infos:
            assert info.date_time == FIXED_DATE
            assert info.external_attr >> 16 == 0o100644
            assert info.create_system == 3
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_the_repository_package_holds_the_tool_handlers_tree() -> None:
    package = build_zip(ROOT)
    assert "tools/catalogue.py" in package.files
    assert all(name.startswith("tools/") and name.endswith(".py") for name in package.files)
    assert list(package.files) == sorted(package.files)


def test_write_zip_leaves_an_identical_file_alone(tmp_path: Path) -> None:
    package = build_zip(_tree(tmp_path / "src"))
    target = write_zip(package, tmp_path / "z" / "tools.zip")
    os.utime(target, (1_000_000_000, 1_000_000_000))
    write_zip(package, target)
    assert target.stat().st_mtime == 1_000_000_000
    assert target.read_bytes() == package.data


def test_bundled_libraries_must_be_the_pinned_versions() -> None:
    """The zip ships what the tests ran: an installed version other than constraints.txt's stops the synth."""
    import pytest

    from infra.packaging import PackagingError, dependency_files, pinned_versions

    pins = pinned_versions()
    files = dict(dependency_files(("jmespath",), pins))
    assert "jmespath/__init__.py" in files and all(name.endswith(".py") for name in files)
    with pytest.raises(PackagingError, match="constraints.txt pins 0.0.1"):
        dependency_files(("jmespath",), {**pins, "jmespath": "0.0.1"})
    with pytest.raises(PackagingError, match="not installed"):
        dependency_files(("no-such-distribution-xyz",), pins)


# What the extracted zip runs in a bare interpreter: no site-packages (-I -S), only the archive and the stdlib.
# A warm container first sees the error with five customers, then five more: drain3 generalises the word column
# to <*> (one template); the masking alone would keep one template per customer.
_ALERT_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
import tools.alerts.handler  # the alert Lambda's entry (Powertools' Logger, no boto3 at import)
from tools.alerts.detector import BatchMiner
from tools.alerts.subscription import LogEvent
names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"]
batch = [LogEvent(str(i), 1795165200000 + i * 1000,
                  f"2026-11-20 09:00:{{i:02d}} ERROR c.e.payment.Api - card declined for customer {{name}}")
         for i, name in enumerate(names)]
miner = BatchMiner()
miner.mine(batch[:5])
mined, errors = miner.mine(batch[5:])
print(json.dumps({{"templates": [[m.template, sum(m.counts.values())] for m in mined], "errors": errors,
                  "drain3": sys.modules["drain3"].__file__, "boto3": "boto3" in sys.modules,
                  "site": [p for p in sys.path if "site-packages" in p]}}))
"""


def test_the_lambda_zip_runs_the_alert_detector_with_drain3(tmp_path: Path) -> None:
    """The deployed alert function mines with the tools' miner: the zip bundles drain3 and its dependencies
    (pure Python, the pinned versions), and the detector imported from the extracted zip alone uses it."""
    import json
    import subprocess
    import sys

    from infra.packaging import BUNDLED_DISTRIBUTIONS, build_zip, dependency_files

    package = build_zip(dependencies=dependency_files())
    assert {"drain3", "jsonpickle", "cachetools"} <= set(BUNDLED_DISTRIBUTIONS)
    assert {"drain3/drain.py", "jsonpickle/__init__.py", "cachetools/__init__.py"} <= set(package.files)
    assert all(name.endswith(".py") for name in package.files)  # no compiled parts: any CPU, any Python
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        archive.extractall(tmp_path)
        unzipped = sum(info.file_size for info in archive.infolist())
    assert len(package.data) < 50 * 2**20 and unzipped < 250 * 2**20  # Lambda's direct-upload and unzipped limits
    out = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", _ALERT_PROBE.format(root=str(tmp_path))],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "POWERTOOLS_TRACE_DISABLED": "true"})
    assert out.returncode == 0, out.stderr[-2000:]
    probe = json.loads(out.stdout)
    assert probe["site"] == [] and not probe["boto3"]
    assert probe["drain3"] == str(tmp_path / "drain3" / "__init__.py")
    assert probe["errors"] == 5
    [[template, count]] = probe["templates"]
    assert template.endswith("card declined for customer <*>") and count == 5


def test_the_container_image_installs_what_the_zip_bundles() -> None:
    """requirements-lambda.txt (the image) names the zip's top-level libraries at the constraints.txt pins."""
    import re

    from infra.packaging import BUNDLED_DISTRIBUTIONS, pinned_versions

    pins = pinned_versions()
    wanted = {}
    for line in (ROOT / "requirements-lambda.txt").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[a-z,]+\])?==(\S+)", line.split("#", 1)[0].strip())
        if match:
            wanted[match.group(1).lower().replace("_", "-")] = match.group(2)
    assert set(wanted) == {"aws-lambda-powertools", "drain3"}
    for name, version in wanted.items():
        assert name in BUNDLED_DISTRIBUTIONS and pins[name] == version, name
