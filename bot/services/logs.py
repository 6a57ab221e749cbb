"""Structured logs with a request id per question (see `bot.services.observability` for the
whole picture): the context variable, the scope that sets it, the text and JSON formatters, and
`configure_logging`."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import secrets
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, Literal, TextIO, TypeVar

T = TypeVar("T")


request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "careerbot_request_id", default=None
)


REQUEST_ID_HEX_CHARS = 12  # 48 random bits: unique over any log window anyone will search


def new_request_id() -> str:
    """A fresh request id: 12 random hex characters (not set anywhere; see `request_scope`)."""
    return secrets.token_hex(REQUEST_ID_HEX_CHARS // 2)


@contextlib.contextmanager
def request_scope(rid: str | None = None) -> Iterator[str]:
    """Set `request_id` (a new one unless `rid` is given) for the block; yields it.

    The previous value comes back afterwards, so a scope inside another one is harmless.
    """
    rid = rid or new_request_id()
    token = request_id.set(rid)
    try:
        yield rid
    finally:
        request_id.reset(token)


def with_current_context(call: Callable[[], T]) -> Callable[[], T]:
    """`call` bound to a copy of the current context, for `loop.run_in_executor`, which (unlike
    `asyncio.to_thread` and tasks) does not carry context variables into the thread."""
    return functools.partial(contextvars.copy_context().run, call)


class RequestIdFilter(logging.Filter):
    """Stamps every record with `request_id` (None outside a question) and `request_tag`
    (" [req=…]" or ""), for formatters. Lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = request_id.get()
        record.request_id = rid
        record.request_tag = f" [req={rid}]" if rid else ""
        return True


TEXT_FORMAT = "[{asctime}] [{levelname:<8}] {name}{request_tag}: {message}"  # discord.py's + id


TEXT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


# Attributes every LogRecord has: anything else on a record came from `extra=`.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "request_tag",
}


class TextFormatter(logging.Formatter):
    """discord.py's plain layout with the request id; works without `RequestIdFilter` too."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT, TEXT_DATE_FORMAT, style="{")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_tag"):
            RequestIdFilter().filter(record)
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, exception, extras.

    `extra=` fields whose names clash with the fixed keys are dropped (the fixed keys win);
    values JSON cannot encode are written with `str()`. Non-ASCII text (Chinese questions) is
    kept as is; newlines inside values are escaped, so one record is always one line.
    """

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            entry["request_id"] = rid
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False, default=str)


class ConnectionTracebackFilter(logging.Filter):
    """discord.py logs every failed reconnect attempt with the connection error's traceback
    ("Attempting a reconnect in 1.51s"): an expected condition, so the record keeps one line
    with the reason instead (as a warning)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg).startswith("Attempting a reconnect"):
            error = record.exc_info[1]
            if isinstance(error, OSError | TimeoutError) or type(error).__name__.startswith(
                ("ClientConnector", "ConnectionClosed", "ServerDisconnected", "WSServerHandshake")
            ):
                record.msg = f"{record.msg}: {type(error).__name__}: {error}"
                record.exc_info = None
                record.exc_text = None
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging(
    log_format: Literal["text", "json"], level: str | int, *, stream: TextIO | None = None
) -> logging.Handler:
    """Log to `stream` (stderr) in `log_format` at `level`, from the root logger down.

    Replaces `discord.utils.setup_logging`. Calling it again replaces the handler it installed
    before (and only that one: handlers others added, like pytest's, stay). Returns the handler.
    """
    if log_format not in ("text", "json"):
        raise ValueError(f"log_format must be 'text' or 'json', not {log_format!r}")
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_careerbot", False)]:
        root.removeHandler(old)
        old.close()
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler._careerbot = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.addFilter(ConnectionTracebackFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return handler
