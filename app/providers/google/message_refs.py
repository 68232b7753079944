"""Gmail's own message id (what the Gmail web page names a message by) → its RFC 822 Message-ID.

The sidebar in Gmail cannot see the Message-ID header; it sends the hex message id the Gmail API
also uses (extension/API.md). One ``users.messages.get`` with ``format=metadata`` and
``metadataHeaders=Message-ID`` (5 quota units, no body) answers it. Gmail says 404 for an id
that is not in this mailbox and 400 ``Invalid id value`` for one that is not a Gmail id at all
(e.g. the web UI's opaque ``FMfcgz…`` address-bar ids): both are NotFound here.
"""
from __future__ import annotations

from typing import Any

from googleapiclient.errors import HttpError

from app.providers.google.errors import google_error
from app.providers.google.gmail_message import message_id_of
from app.providers.google.transport import GuardedGoogleHttp
from app.sync.errors import NotFound


class GmailMessageRefs:
    """Message-ID look-ups in one user's Gmail, over a built ``gmail`` v1 service."""

    def __init__(self, service: Any, http: GuardedGoogleHttp) -> None:
        self.service, self.http = service, http

    def message_id(self, ref: str) -> str:
        """The message's Message-ID, as the sync reads it (gmail_message.py). Raises NotFound or the core's errors."""
        request = self.service.users().messages().get(userId="me", id=ref, format="metadata",
                                                      metadataHeaders=["Message-ID"])
        try:
            return message_id_of(request.execute(num_retries=0) or {})
        except HttpError as exc:
            if int(exc.resp.status) in (400, 404):
                raise NotFound(f"Gmail has no message {ref!r} in this mailbox") from exc
            raise google_error(exc, "messages.get (metadata)", api="Gmail") from exc

    def close(self) -> None:
        self.http.close()
