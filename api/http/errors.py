"""Unexpected exceptions reach clients masked, with a request id; the log keeps the traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from market.vocabulary import InputError

log = logging.getLogger("rfpmarket.errors")
# Where strawberry logs every error of a response, at ERROR with a traceback.
STRAWBERRY_LOGGER = "strawberry.execution"
SUGGESTION = re.compile(r" Did you mean .*\?$")
# Variable coercion failures, as graphql-core words them: the client's values, not its document.
VARIABLE_ERROR = re.compile(
    r"^Variable '\$[^']*' (got invalid value|has invalid value|of (required|non-null) type|expected value)"
)


def code_for(error: GraphQLError) -> str:
    """The `extensions.code` of an error that came without one, in the words Apollo's clients know.

    Errors with a path were raised while executing; nothing of ours raises one without a code, so such
    an error is graphql-core's own (a non-null violation): ours to fix, not the client's."""
    message = error.message
    if error.path is not None:
        return "INTERNAL_SERVER_ERROR"
    if message.startswith("Syntax Error"):
        # The token limit stops the parser with a syntax error of its own.
        return (
            "QUERY_TOO_COMPLEX" if "more than" in message and "tokens" in message else "GRAPHQL_PARSE_FAILED"
        )
    if VARIABLE_ERROR.search(message):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


def with_code(error: GraphQLError, message: str | None = None) -> GraphQLError:
    """The error with `extensions.code` (and its own message, when one is given)."""
    extensions = dict(error.extensions or {})
    extensions.setdefault("code", code_for(error))
    return GraphQLError(
        message if message is not None else error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


def is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | InputError)


class MaskInternalErrors(MaskErrors):
    """Masks what nobody meant to show; client errors (bad input) pass through, made explicit."""

    def __init__(self, hide_suggestions: bool = False) -> None:
        super().__init__(should_mask_error=is_unexpected)
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()
        # Field errors a resolver reported without failing its parent join the response's errors.
        result = self.execution_context.result
        extra = getattr(self.execution_context.context, "field_errors", None)
        if extra and result is not None and hasattr(result, "errors"):
            result.errors = [*(result.errors or []), *extra]

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        request_id = getattr(self.execution_context.context, "request_id", "-")
        processed = []
        for error in errors:
            original = error.original_error
            if isinstance(original, InputError):
                processed.append(
                    GraphQLError(
                        original.message,
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "BAD_USER_INPUT", "field": [original.argument]},
                    )
                )
            elif is_unexpected(error):
                log.error("request %s failed at %s", request_id, error.path, exc_info=original)
                processed.append(
                    GraphQLError(
                        f"Internal server error (request id {request_id})",
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                    )
                )
            elif self.hide_suggestions and SUGGESTION.search(error.message):
                # "Did you mean ...?" would map the schema for a caller who cannot introspect it.
                processed.append(with_code(error, SUGGESTION.sub("", error.message)))
            else:
                processed.append(with_code(error))
        return processed


class ClientErrorsInOneLine(logging.Filter):
    """Strawberry logs every error at ERROR with a traceback, so any caller could flood the log with
    tracebacks of its own mistakes. Client errors (syntax, validation, limits, bad input) become one
    INFO line; unexpected ones are dropped here because MaskInternalErrors logs them at ERROR with the
    traceback and the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.msg
        if not isinstance(error, GraphQLError):
            return True
        if is_unexpected(error):
            return False
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.msg = "client error: " + " ".join(str(error.message).split())
        record.args, record.exc_info, record.exc_text = (), None, None
        return True


def log_client_errors_in_one_line() -> None:
    logger = logging.getLogger(STRAWBERRY_LOGGER)
    if not any(isinstance(existing, ClientErrorsInOneLine) for existing in logger.filters):
        logger.addFilter(ClientErrorsInOneLine())
