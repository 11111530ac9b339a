"""Configuration: one line per bad variable (no traceback), unknown variables reported, comma lists,
production refusing the embedded database, --version, help with defaults, check-config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli.main import parser
from api.observability.config_check import (
    ConfigError,
    check_config,
    effective_configuration,
    load_settings,
    unknown_variables,
)
from api.settings import Settings

RFPMARKET = str(Path(sys.executable).with_name("rfpmarket"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if not name.startswith("RFPMARKET_")}
    clean.pop("MONGODB_URI", None)
    return subprocess.run(
        [RFPMARKET, *args], env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("RFPMARKET_ENV", "prod", "'development' or 'production'"),
        ("RFPMARKET_MAX_QUERY_DEPTH", "ten", "valid integer"),
        ("RFPMARKET_LOG_LEVEL", "verbose", "CRITICAL, ERROR, WARNING, INFO, DEBUG"),
        ("RFPMARKET_MAX_QUERY_COST", "0", "must be above 0"),
        ("RFPMARKET_METRICS_PORT", "70000", "less than or equal to 65535"),
        ("RFPMARKET_LOG_FORMAT", "xml", "'json' or 'console'"),
    ],
)
def test_a_bad_value_is_one_line_naming_variable_value_and_what_is_allowed(
    variable: str, value: str, allowed: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({variable: value})
    (line,) = str(raised.value).splitlines()
    assert line.startswith(f"{variable}=") and value in line and allowed in line


def test_the_command_prints_one_line_and_exits_2_without_a_traceback() -> None:
    result = run("check-config", RFPMARKET_ENV="prod")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "rfpmarket: invalid setting RFPMARKET_ENV='prod': Input should be 'development' or 'production'"
    ]


def test_comma_separated_lists_are_accepted_beside_json() -> None:
    settings = load_settings({"RFPMARKET_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    settings = load_settings({"RFPMARKET_TRUSTED_PROXIES": '["10.0.0.0/8"]'})
    assert settings.trusted_proxies == ["10.0.0.0/8"]
    with pytest.raises(ConfigError) as raised:
        load_settings({"RFPMARKET_TRUSTED_PROXIES": '["10.0.0.0/8"'})
    assert str(raised.value).startswith("RFPMARKET_TRUSTED_PROXIES=")


def test_unknown_variables_are_reported_with_a_suggestion() -> None:
    lines = unknown_variables(
        {"RFPMARKET_MAX_QUERY_DEPHT": "5", "RFPMARKET_ENV": "production", "HOME": "/", "RFPMARKET_FOO": "1"}
    )
    assert lines == [
        "RFPMARKET_FOO is not a setting rfpmarket reads",
        "RFPMARKET_MAX_QUERY_DEPHT is not a setting rfpmarket reads; did you mean RFPMARKET_MAX_QUERY_DEPTH?",
    ]
    result = run("check-config", RFPMARKET_MAX_QUERY_DEPHT="5")
    assert result.returncode == 0
    assert "warning: RFPMARKET_MAX_QUERY_DEPHT is not a setting" in result.stderr


def test_production_refuses_the_embedded_database_unless_allowed(tmp_path: Path) -> None:
    result = run("serve", "--data-dir", str(tmp_path), RFPMARKET_ENV="production")
    assert result.returncode == 2
    assert "MONGODB_URI is unset" in result.stderr and "RFPMARKET_ALLOW_EMBEDDED_DB" in result.stderr
    assert not (tmp_path / "db").exists()  # refused before anything started


def test_check_config_hides_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(
        {
            "MONGODB_URI": "mongodb://ops:hunter2@db.internal:27017/?replicaSet=rs0",
            "RFPMARKET_METRICS_TOKEN": "scrape-token-123",
            "RFPMARKET_ENV": "production",
        }
    )
    assert check_config(settings) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and "scrape-token-123" not in out
    assert "MONGODB_URI=mongodb://ops:***@db.internal:27017" in out
    assert "RFPMARKET_METRICS_TOKEN=*** (set)" in out
    assert "RFPMARKET_MAX_QUERY_DEPTH=10" in out
    assert "# /metrics: on the API port, bearer token required" in out
    assert set(effective_configuration(Settings())) >= {
        "RFPMARKET_ENV",
        "MONGODB_URI",
        "RFPMARKET_LOG_FORMAT",
    }


def test_check_config_fails_for_production_on_the_embedded_database(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert check_config(load_settings({"RFPMARKET_ENV": "production"})) == 1
    assert "refuses to start" in capsys.readouterr().out


def test_version_and_help_with_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        parser().parse_args(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out.startswith("rfpmarket 0.1.0")
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for option in ("--host HOST address to listen on (default: 127.0.0.1)", "(default: 8000)", "--workers"):
        assert option in help_text
    assert help_text.count("(default:") == 3  # host, port, workers; a flag or an unset option has none
    assert "(default: None)" not in help_text and "(default: False)" not in help_text
