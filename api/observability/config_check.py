"""Settings checked at start-up: one line per problem naming the variable, the value and what is allowed.

pydantic's own report is 16-40 lines of traceback for one typo; an operator needs the variable's name.
"""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr, ValidationError

from api.settings import Settings

PREFIX = "RFPMARKET_"
# Limits and sizes that make no sense at zero or below.
POSITIVE = (
    "db_start_timeout_seconds",
    "max_body_bytes",
    "request_timeout_seconds",
    "max_query_depth",
    "max_query_aliases",
    "max_query_tokens",
    "max_query_cost",
    "register_rate_limit",
    "register_rate_window_seconds",
    "register_rate_limit_global",
    "write_rate_limit_per_address",
    "write_rate_limit_per_organization",
    "write_rate_limit_global",
    "write_rate_window_seconds",
    "header_timeout_seconds",
    "keep_alive_seconds",
    "max_connections",
)


class HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with its default, unless there is none to show (unset, a flag)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or action.help is None:
            return action.help
        return super()._get_help_string(action)


class ConfigError(Exception):
    """One or more settings are wrong; str() is one line per problem."""


def variable_of(field: str) -> str:
    """The environment variable a Settings field is read from."""
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, str):
        return alias
    return PREFIX + field.upper()


def known_variables() -> set[str]:
    names = {variable_of(field) for field in Settings.model_fields}
    return names | {"RFPMARKET_OTLP_ENDPOINT"}


def _shown(field: str, value: object) -> str:
    if field in SECRET_FIELDS or ("@" in str(value) and "://" in str(value)):
        return "'***'"
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "...'"


SECRET_FIELDS = frozenset({"metrics_token", "mongodb_uri"})
USER_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


def _line(error: Mapping[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ())]
    field = loc[0] if loc and loc[0] in Settings.model_fields else ""
    variable = variable_of(field) if field else ".".join(loc) or "configuration"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{variable}={_shown(field, error.get('input'))}: {message}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment, or ConfigError with one line per invalid variable."""
    try:
        settings = Settings() if environ is None else _from(environ)
    except ValidationError as error:
        raise ConfigError("\n".join(_line(e) for e in error.errors())) from None
    except json.JSONDecodeError as error:  # pragma: no cover - reported through ValidationError
        raise ConfigError(str(error)) from None
    problems = [
        f"{variable_of(field)}={getattr(settings, field)!r}: must be above 0"
        for field in POSITIVE
        if getattr(settings, field) <= 0
    ]
    if problems:
        raise ConfigError("\n".join(problems))
    return settings


def _from(environ: Mapping[str, str]) -> Settings:
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(environ)
        return Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One line per RFPMARKET_* variable no setting reads (a typo is otherwise silently ignored)."""
    known = known_variables()
    lines = []
    for name in sorted(n for n in environ if n.startswith(PREFIX) and n not in known):
        # Compared without the shared prefix, which would make every name look alike.
        suffixes = sorted(known_name.removeprefix(PREFIX) for known_name in known)
        close = difflib.get_close_matches(name.removeprefix(PREFIX), suffixes, n=1)
        hint = f"; did you mean {PREFIX}{close[0]}?" if close else ""
        lines.append(f"{name} is not a setting rfpmarket reads{hint}")
    return lines


def settings_or_exit() -> Settings:
    """For the commands: a bad setting is one line per variable on stderr and exit status 2."""
    try:
        settings = load_settings()
    except ConfigError as error:
        for line in str(error).splitlines():
            print(f"rfpmarket: invalid setting {line}", file=sys.stderr)
        sys.exit(2)
    for line in unknown_variables(os.environ):
        print(f"rfpmarket: warning: {line}", file=sys.stderr)
    return settings


def refuse_embedded_in_production(settings: Settings) -> None:
    """Production always names its database (the Dockerfile says so); the embedded one only on request."""
    if settings.production and not settings.mongodb_uri and not settings.allow_embedded_db:
        print(
            "rfpmarket: MONGODB_URI is unset and RFPMARKET_ENV=production refuses the embedded database; "
            "set MONGODB_URI (or RFPMARKET_ALLOW_EMBEDDED_DB=true to run it anyway)",
            file=sys.stderr,
        )
        sys.exit(2)


def effective_configuration(settings: Settings) -> dict[str, str]:
    """Every setting by its variable, secrets hidden: what `rfpmarket check-config` prints."""
    shown: dict[str, str] = {}
    for field in Settings.model_fields:
        value = getattr(settings, field)
        if field == "mongodb_uri" and value:
            text = USER_PASSWORD.sub(r"\1***@", value)  # the host stays readable, the password not
        elif isinstance(value, SecretStr) or (field in SECRET_FIELDS and value):
            text = "*** (set)"
        elif value is None:
            text = "(unset)"
        elif isinstance(value, list):
            text = ",".join(str(item) for item in value) or "(empty)"
        else:
            text = str(getattr(value, "value", value))
        shown[variable_of(field)] = text
    return shown


def check_config(settings: Settings) -> int:
    """Print the effective configuration and what it implies; 0 when the server would start."""
    for name, text in effective_configuration(settings).items():
        print(f"{name}={text}")
    from api.observability.metrics import metrics_exposure

    print(f"# /metrics: {metrics_exposure(settings)}")
    print(f"# traces: {'OTLP to ' + str(settings.otlp_endpoint) if settings.otlp_endpoint else 'off'}")
    unknown = unknown_variables(os.environ)
    for line in unknown:
        print(f"# warning: {line}")
    if settings.production and not settings.mongodb_uri and not settings.allow_embedded_db:
        print("# error: production without MONGODB_URI: the server refuses to start")
        return 1
    logging.getLogger("rfpmarket").debug("configuration checked")
    return 0
