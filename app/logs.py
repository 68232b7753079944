"""Structured JSON logs: one line per request or job, with its context and no secrets.

Secrets are kept out in two ways: code never passes them to a logger, and a last-line
filter masks anything shaped like a bearer token, API token, OAuth token or password field.
"""
from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import g, has_request_context

_SECRET_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=!-]+"), r"\1[redacted]"),
    (re.compile(r"slk_[A-Za-z0-9_-]{8,}"), "slk_[redacted]"),
    (re.compile(r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]+"), "[redacted-sf-session]"),
    (re.compile(r"(?i)((?:access_token|refresh_token|password|client_secret|code_verifier)"
                r"[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+"), r"\1[redacted]"),
]


_context: ContextVar[dict | None] = ContextVar("syncline_log_context", default=None)


@contextmanager
def bound(**fields) -> Iterator[None]:
    """Every log line inside the block carries `fields` (job id, org, mailbox…)."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    """Renders a record as one JSON object; extra context comes from `record.ctx`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if has_request_context() and getattr(g, "request_id", None):
            entry["request_id"] = g.request_id
        entry.update(_context.get() or {})
        entry.update(getattr(record, "ctx", {}) or {})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever sys.stdout is at emit time (test capture, gunicorn redirection)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


def configure_logging(level: str) -> None:
    """Route the root logger to stdout as JSON; idempotent across app factories."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_syncline", False):
            root.removeHandler(handler)
    handler = _StdoutHandler()
    handler.setFormatter(JsonFormatter())
    handler._syncline = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for noisy in ("werkzeug", "alembic.runtime.plugins", "rq.worker", "rq.cron"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
