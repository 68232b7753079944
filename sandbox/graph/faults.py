"""Answers lost on the way back: Graph did the work, the client saw a 504 (a gateway timeout, a cut
connection). The fault a create's ``transactionId`` exists for — Microsoft Learn, "event resource
type": transactionId lets the service "avoid redundant POST operations in case of client retries to
create the same event", for when "the client [times] out before receiving a response".
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from flask import Flask, Response, request


@dataclass
class LostAnswers:
    """The next ``left`` requests whose ``METHOD /path`` contains ``match`` are carried out, then answer 504
    (inside a ``$batch`` each request counts on its own, so one create of a batch can lose its answer)."""

    left: int = 0
    match: str = ""
    lost: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def lose(self, count: int, match: str = "") -> None:
        with self.lock:
            self.left, self.match = count, match

    def take(self, what: str) -> bool:
        with self.lock:
            if self.left > 0 and self.match in what:
                self.left -= 1
                self.lost += 1
                return True
            return False


def register_faults(app: Flask, faults: LostAnswers) -> None:
    @app.after_request
    def lose_answer(response: Response) -> Response:
        if response.status_code >= 300 or not faults.take(f"{request.method} {request.path}"):
            return response
        body = {"error": {"code": "GatewayTimeout", "message": "The gateway did not receive a response in time."}}
        return Response(json.dumps(body), 504, content_type="application/json")
