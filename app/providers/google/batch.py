"""Calendar calls sent together through Google's batch endpoint (``batchPath`` ``batch/calendar/v3``),
at most 50 per batch as the Calendar API's batch guide allows; answers come back in input order,
each a JSON body or the core's error for that call.

The batch URI is built from the configured API root: googleapiclient's ``new_batch_http_request()``
would take the discovery document's rootUrl (www.googleapis.com) and ignore ``api_endpoint``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urljoin

from googleapiclient.errors import BatchError, HttpError
from googleapiclient.http import BatchHttpRequest

from app.providers.google.errors import google_error
from app.providers.google.transport import GuardedGoogleHttp
from app.sync.errors import SyncError, TemporaryFailure

MAX_PARTS = 50
BATCH_PATH = "batch/calendar/v3"


class GoogleBatch:
    def __init__(self, http: GuardedGoogleHttp, api_root: str, path: str = BATCH_PATH, max_parts: int = MAX_PARTS,
                 api: str = "Calendar") -> None:
        self.http, self.max_parts, self.api = http, max_parts, api
        self.uri = urljoin(api_root if api_root.endswith("/") else api_root + "/", path)

    def run(self, requests: Sequence[Any], what: str) -> list[Any]:
        """Each request's answer (a dict) or its SyncError; a failed batch as a whole raises."""
        answers: dict[str, Any] = {}

        def keep(request_id: str, response: Any, exception: Exception | None) -> None:
            answers[request_id] = google_error(exception, what, self.api) if isinstance(exception, HttpError) else (
                exception if exception is not None else response or {})

        for start in range(0, len(requests), self.max_parts):
            batch = BatchHttpRequest(callback=keep, batch_uri=self.uri)
            for offset, request in enumerate(requests[start:start + self.max_parts]):
                batch.add(request, request_id=str(start + offset))
            try:
                batch.execute(http=self.http)
            except BatchError as exc:     # an answer that is not the multipart/mixed Google documents
                raise TemporaryFailure(f"Google {what}: unreadable batch answer ({exc})") from exc
            except HttpError as exc:
                raise google_error(exc, what + " (batch)", self.api) from exc
        out = [answers.get(str(n), SyncError(f"Google {what}: no answer in the batch")) for n in range(len(requests))]
        return out
