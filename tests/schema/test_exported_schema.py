"""schema.graphql at the root is the served schema, and it honours the shared contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import schema

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT.parent / "shared" / "tools" / "check_contract.py"


def test_schema_graphql_is_not_stale() -> None:
    exported = (ROOT / "schema.graphql").read_text()
    assert exported == schema.schema.as_str() + "\n", (
        "run `rfpmarket export-schema` and commit schema.graphql"
    )


def test_served_schema_matches_the_contract() -> None:
    result = subprocess.run(
        [sys.executable, str(CHECKER), str(ROOT / "schema.graphql")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "0 difference(s)" in result.stdout
