"""The image and the installed package hold every top-level package of the house (market/ included)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["api", "market", "schema", "scoring", "seeds"]


def test_the_package_includes_every_top_level_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(name.removesuffix("*") for name in include) == PACKAGES


def test_the_dockerfile_copies_every_top_level_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in PACKAGES:
        assert f"COPY {package} ./{package}\n" in dockerfile, package
