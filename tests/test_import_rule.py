"""No module of ours imports another in a circle, at any depth (import-linter's contracts in
pyproject.toml check the layers; this checks every module pair, beside them)."""

from __future__ import annotations

import grimp

PACKAGES = ("api", "market", "schema", "scoring", "seeds")


def test_no_module_imports_another_in_a_circle() -> None:
    graph = grimp.build_graph(*PACKAGES)
    circles = sorted(
        f"{module} <-> {imported}"
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    )
    assert circles == []


def test_the_pure_packages_import_nothing_that_does_io() -> None:
    graph = grimp.build_graph(*PACKAGES, "pymongo", "starlette", "strawberry", include_external_packages=True)
    for pure in ("scoring", "market"):
        for edge in ("pymongo", "starlette", "strawberry", "api", "schema"):
            assert not graph.chain_exists(importer=pure, imported=edge, as_packages=True), (pure, edge)
