"""The TypeScript check of a buyer dashboard: graphql-codegen (typescript + typescript-operations,
DateTime and Decimal mapped to string, strictScalars) over tests/codegen/operations against the
exported schema.graphql, then `tsc --strict --noEmit` over the generated types and dashboard.ts.
It fails when an operation no longer validates, a scalar is left unmapped, or the view code no
longer type-checks against what the schema now says."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BIN = HERE / "node_modules" / ".bin"


@pytest.fixture
def node() -> str:
    """In CI the check must run; locally it is skipped until `./dev install` ran npm ci here."""
    found = shutil.which("node")
    if found and (BIN / "graphql-codegen").exists() and (BIN / "tsc").exists():
        return found
    if os.environ.get("CI"):
        pytest.fail("CI must run the codegen check: node and `npm ci --prefix tests/codegen` needed")
    pytest.skip("graphql-codegen is not installed: run ./dev install (npm ci --prefix tests/codegen)")


def _run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=HERE, capture_output=True, text=True, timeout=300, check=False
    )


def _codegen() -> None:
    generated = _run(BIN / "graphql-codegen", "--config", "codegen.yml")
    assert generated.returncode == 0, generated.stdout + generated.stderr


def test_the_dashboard_operations_generate_and_type_check_strictly(node: str) -> None:
    _codegen()
    types = (HERE / "generated" / "graphql.ts").read_text()
    # The wire formats reach the client's types: strings, never `any` or `unknown`.
    assert "DateTime: { input: string; output: string; }" in types
    assert "Decimal: { input: string; output: string; }" in types
    checked = _run(BIN / "tsc", "--project", "tsconfig.json")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_type_check_has_teeth(node: str, tmp_path: Path) -> None:
    """View code that treats a Decimal as a float, or reads a nullable RFP without a check, fails."""
    _codegen()
    broken = tmp_path / "broken.ts"
    generated = (HERE / "generated" / "graphql").as_posix()
    broken.write_text(
        f'import type {{ MyOpenRfpsQuery, RfpRankingQuery }} from "{generated}";\n'
        "export const budget = (d: MyOpenRfpsQuery): number => d.rfps.edges[0]!.node.monthlyBudget!.amount;\n"
        "export const title = (d: RfpRankingQuery): string => d.rfp.title;\n"
    )
    checked = _run(BIN / "tsc", "--strict", "--noEmit", "--target", "ES2022", "--skipLibCheck", broken)
    assert checked.returncode != 0
    assert "Type 'string' is not assignable to type 'number'" in checked.stdout, checked.stdout
    assert "possibly 'null'" in checked.stdout or "possibly 'undefined'" in checked.stdout, checked.stdout
