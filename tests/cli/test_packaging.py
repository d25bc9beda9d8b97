"""Every data file the code reads is declared as package data, so that `pip install .` (not
only the editable install the tests run from) ships it: a file left out is a traceback at the
first question on a fresh machine."""
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _package_dir(package: str) -> Path:
    return ROOT / SETUPTOOLS.get("package-dir", {}).get(package, package.replace(".", "/"))


def _shipped(package: str) -> set[Path]:
    base = _package_dir(package)
    return {path for pattern in SETUPTOOLS["package-data"].get(package, []) for path in base.glob(pattern)}


@pytest.mark.parametrize("package", SETUPTOOLS["packages"])
def test_every_data_file_of_a_package_is_shipped(package):
    base = _package_dir(package)
    subpackages = {_package_dir(p) for p in SETUPTOOLS["packages"] if p.startswith(package + ".")}
    data = {path for path in base.rglob("*") if path.is_file() and path.suffix != ".py"
            and "__pycache__" not in path.parts and not any(sub in path.parents for sub in subpackages)}
    assert data - _shipped(package) == set()

