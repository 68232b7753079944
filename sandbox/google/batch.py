"""The fake's batch endpoint (``POST /batch/calendar/v3``), as Google's "Sending batch requests" guide
describes it: a ``multipart/mixed`` body of ``application/http`` parts, at most 50 for Calendar; the
outer request's headers (Authorization) apply to every part unless the part sets its own; each answer
is an ``application/http`` part whose Content-ID is the request's prefixed with ``response-``."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from email.parser import BytesParser, Parser

from flask import Flask, Response, request

from sandbox.google.store import ApiError, GoogleStore

MAX_PARTS = 50
BATCH_PART = "sandbox.google.batch_part"     # WSGI environ flag: this request is one part of a batch


def add_batch_endpoint(app: Flask, store: GoogleStore, render: Callable[[ApiError], Response],
                       path: str = "/batch/calendar/v3", max_parts: int = MAX_PARTS) -> None:
    """``render`` is the app's JSON error answer; ``path``/``max_parts`` are the API's batchPath and limit."""

    @app.post(path, endpoint="batch_" + path.strip("/").replace("/", "_"))
    def batch() -> Response:
        content_type = request.headers.get("Content-Type", "")
        message = BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.get_data())
        if not content_type.startswith("multipart/mixed") or not message.is_multipart():
            return render(ApiError(400, "invalid", "Batch requests must be multipart/mixed"))
        with store.lock:
            store.batches += 1
        parts = message.get_payload()
        if len(parts) > max_parts:
            return render(ApiError(400, "invalid", f"A batch may hold at most {max_parts} requests"))
        client, boundary, out = app.test_client(), "batch_" + secrets.token_hex(8), []
        for part in parts:
            raw = part.get_payload()
            request_line, _, rest = raw.lstrip("\r\n").partition("\n")
            method, target = request_line.split(" ")[:2]
            inner = Parser().parsestr(rest)
            headers = {k: v for k, v in inner.items() if k.lower() not in ("host", "content-length")}
            headers.setdefault("Authorization", request.headers.get("Authorization", ""))
            body = inner.get_payload()
            answer = client.open(target, method=method, headers=headers, data=body.encode() if body else None,
                                 environ_overrides={BATCH_PART: True})
            content_id = str(part.get("Content-ID") or "<>")
            out.append(f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-{content_id[1:-1]}>\r\n\r\n"
                       f"HTTP/1.1 {answer.status}\r\nContent-Type: application/json; charset=UTF-8\r\n{_retry_after(answer)}\r\n"
                       f"{answer.get_data(as_text=True)}\r\n")
        return Response("".join(out) + f"--{boundary}--\r\n", 200, content_type=f"multipart/mixed; boundary={boundary}")


def _retry_after(answer: Response) -> str:
    """A part's own Retry-After travels inside the part, as its other headers would."""
    value = answer.headers.get("Retry-After")
    return f"Retry-After: {value}\r\n" if value else ""
