"""A stand-in for the sidebar endpoints the backend has not built yet.

DELETE THIS MODULE once the backend lands: the browser tests then run against the real
endpoints by dropping `PendingApi` from the `sidebar_server` fixture in conftest.py.
Everything here follows extension/API.md; it answers only the paths in `PENDING_PATHS`,
checks the Bearer token against the real API (`GET /api/v1/me`), and checks request
bodies just enough to catch a sidebar that drifts from the contract.
"""
from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, request

PREFIX = "/api/v1"
PENDING_PATHS = re.compile(r"^/api/v1/(related-records|saved-emails|compose-saves|meeting-saves|records/|"
                           r"thread-autosaves/|mailboxes/|me/blocklist$)")
KEY_PREFIX = {"Contact": "003", "Lead": "00Q", "Account": "001", "Opportunity": "006", "Case": "500",
              "User": "005", "EmailMessage": "02s"}
INSTANCE = "https://acme.my.salesforce.com"
CASE_NUMBER = re.compile(r"\b\d{8}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _error(status: int, message: str, errors: dict | None = None):
    return jsonify({"code": status, "message": message, "errors": errors or {}}), status


class PendingApi:
    """WSGI app with in-memory state; `calls` records (method, path, json) for assertions."""

    def __init__(self, real_app):
        self._real = real_app.test_client()
        self._ids = itertools.count(1)
        self.calls: list[tuple[str, str, dict | None]] = []
        self.records: list[dict] = []
        self.saved: dict[str, dict] = {}
        self.thread_autosaves: set[str] = set()
        self.blocklist: list[str] = []
        self.mailbox = {"id": 41, "address": "", "status": "active", "status_reason": None,
                        "last_sync_at": "2025-03-03T09:00:00Z", "next_sync_at": "2025-03-03T09:30:00Z"}
        self.flask = self._build()
        self.seed()

    def handles(self, path: str) -> bool:
        return bool(PENDING_PATHS.match(path))

    def __call__(self, environ, start_response):
        return self.flask(environ, start_response)

    def new_id(self, sobject: str) -> str:
        return f"{KEY_PREFIX[sobject]}{next(self._ids):012d}AAA"  # 18 characters, real key prefixes

    def add(self, sobject: str, name: str, **fields) -> dict:
        record = {"type": sobject, "id": self.new_id(sobject), "name": name, **fields}
        record["url"] = f"{INSTANCE}/{record['id']}"
        self.records.append(record)
        return record

    def seed(self) -> None:
        self.add("Account", "Globex Corporation", domain="globex.example")
        self.add("Contact", "Jane Doe", email="jane.doe@globex.example", account_name="Globex Corporation")
        self.add("Opportunity", "Globex — 500 seats", account_name="Globex Corporation", domain="globex.example")
        self.add("Case", "Invoice mismatch", number="00001026", account_name="Globex Corporation")
        self.add("Lead", "Raj Patel", email="raj@initech.example", company="Initech")
        self.add("User", "Uma User", email="uma@acme.example")

    # -- the endpoints ------------------------------------------------------------------
    def _build(self) -> Flask:
        app = Flask("pending_api")

        @app.before_request
        def _check_token():
            self.calls.append((request.method, request.path, request.get_json(silent=True)))
            auth = request.headers.get("Authorization", "")
            me = self._real.get(f"{PREFIX}/me", headers={"Authorization": auth})
            if me.status_code != 200:
                return me.get_data(), me.status_code, {"Content-Type": "application/json"}
            self.mailbox["address"] = me.get_json()["email"]
            return None

        app.add_url_rule(f"{PREFIX}/related-records", view_func=self.related, methods=["POST"])
        app.add_url_rule(f"{PREFIX}/saved-emails", view_func=self.save_email, methods=["POST"])
        app.add_url_rule(f"{PREFIX}/compose-saves", view_func=self.later_save, methods=["POST"])
        app.add_url_rule(f"{PREFIX}/meeting-saves", view_func=self.later_save, methods=["POST"])
        app.add_url_rule(f"{PREFIX}/records/search", view_func=self.search, methods=["GET"])
        app.add_url_rule(f"{PREFIX}/records/<sobject>", view_func=self.create, methods=["POST"])
        app.add_url_rule(f"{PREFIX}/thread-autosaves/<path:thread_id>", view_func=self.thread, methods=["PUT", "DELETE"])
        app.add_url_rule(f"{PREFIX}/mailboxes/mine/dashboard", view_func=self.dashboard)
        app.add_url_rule(f"{PREFIX}/mailboxes/<int:mailbox_id>/<action>", view_func=self.mailbox_action, methods=["POST"])
        app.add_url_rule(f"{PREFIX}/me/blocklist", view_func=self.blocklist_view, methods=["GET", "PUT"])
        return app

    def related(self):
        item = (request.get_json(silent=True) or {}).get("item")
        if not isinstance(item, dict) or "kind" not in item or "mode" not in item:
            return _error(400, "The request needs an 'item' with kind and mode.")
        people = [p["email"] for p in [item.get("from")] + item["to"] + item["cc"] + item["attendees"] if p]
        groups: dict[str, list] = {t: [] for t in ("Contact", "Lead", "Account", "Opportunity", "Case", "User")}
        known = {r.get("email") for r in self.records}
        for r in self.records:
            reasons = []
            if r.get("email") in people:
                reasons.append({"kind": "address_match", "detail": r["email"]})
            elif r.get("email") and r["email"] in item["body_text"]:
                reasons.append({"kind": "address_in_body", "detail": r["email"]})
            if r.get("domain") and any(p.endswith("@" + r["domain"]) for p in people):
                reasons.append({"kind": "domain_account", "detail": r["domain"]})
            if r.get("number") and r["number"] in CASE_NUMBER.findall(item["subject"]):
                reasons.append({"kind": "subject_number", "detail": r["number"]})
            if reasons:
                groups[r["type"]].append({k: r.get(k) for k in ("id", "name", "email", "account_name", "url")}
                                         | {"reasons": reasons})
        suggested = [self._from_signature(e, item["body_text"]) for e in EMAIL.findall(item["body_text"])
                     if e.lower() not in known and not e.endswith("@acme.example")]
        key = item.get("message_id") or item.get("message_ref")
        return jsonify({"groups": groups, "suggested_new": suggested, "saved": self.saved.get(key),
                        "thread_autosave": item.get("thread_id") in self.thread_autosaves})

    @staticmethod
    def _from_signature(email: str, body: str) -> dict:
        block = body[body.find("--"):] if "--" in body else ""
        lines = [ln.strip() for ln in block.splitlines()[1:] if ln.strip()]
        first, _, last = (lines[0] if lines else "").partition(" ")
        phone = next((ln for ln in lines if ln.startswith("+")), None)
        return {"email": email.lower(), "first_name": first, "last_name": last,
                "title": lines[1] if len(lines) > 1 else None, "company": lines[2] if len(lines) > 2 else None,
                "phone": phone}

    def save_email(self):
        body = request.get_json(silent=True) or {}
        missing = [k for k in ("item", "who_ids", "what_id", "subject", "description", "attachments") if k not in body]
        if missing:
            return _error(400, f"Missing fields: {', '.join(missing)}.")
        key = body["item"].get("message_id") or body["item"].get("message_ref")
        if key in self.saved:
            return jsonify({**self.saved[key], "status": "already_saved"}), 200
        record_id = self.new_id("EmailMessage")
        self.saved[key] = {"status": "already_saved", "record_type": "EmailMessage", "record_id": record_id,
                           "url": f"{INSTANCE}/{record_id}"}
        return jsonify({**self.saved[key], "status": "saved"}), 201

    def later_save(self):
        body = request.get_json(silent=True) or {}
        if not isinstance(body.get("who_ids"), list) or "what_id" not in body:
            return _error(400, "who_ids (a list) and what_id are required.")
        return jsonify({"status": "queued"}), 202

    def search(self):
        q = request.args.get("q", "").lower()
        types = set(request.args.get("types", "").split(","))
        hits = [r for r in self.records if r["type"] in types and q
                and (q in r["name"].lower() or q in (r.get("email") or ""))]
        return jsonify({"results": [{"type": r["type"], "id": r["id"], "name": r["name"], "url": r["url"],
                                     "detail": r.get("email") or r.get("account_name") or ""} for r in hits]})

    def create(self, sobject: str):
        if sobject not in ("Contact", "Lead", "Account", "Opportunity", "Case"):
            return _error(404, f"Cannot create {sobject} records here.")
        body = request.get_json(silent=True) or {}
        fields = body.get("fields") or {}
        email = (fields.get("Email") or "").lower()
        name = " ".join(filter(None, [fields.get("FirstName"), fields.get("LastName")])) or fields.get("Name") \
            or fields.get("Subject", "")
        dupes = [r for r in self.records if r["type"] == sobject and ((email and r.get("email") == email)
                                                                      or r["name"].lower() == name.lower())]
        if dupes and not body.get("allow_duplicate"):
            return _error(409, f"A {sobject} like this already exists.",
                          {"duplicates": [{"id": r["id"], "name": r["name"], "url": r["url"]} for r in dupes]})
        record = self.add(sobject, name, email=email or None, account_name=None)
        return jsonify({"id": record["id"], "url": record["url"]}), 201

    def thread(self, thread_id: str):
        (self.thread_autosaves.add if request.method == "PUT" else self.thread_autosaves.discard)(thread_id)
        return "", 204

    def dashboard(self):
        now = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
        counts = {"created": 2, "updated": 1, "deleted": 0, "skipped": 0, "failed": 1}
        sessions = [{"id": 7, "started_at": now.isoformat(), "finished_at": (now + timedelta(seconds=40)).isoformat(),
                     "status": "partial", "counts": {"calendar": counts, "tasks": {}, "contacts": {}, "emails": counts},
                     "errors": [{"kind": "calendar", "item": "Weekly sync with Globex",
                                 "reason": "FIELD_CUSTOM_VALIDATION_EXCEPTION: Location is required"}]},
                    {"id": 6, "started_at": (now - timedelta(minutes=30)).isoformat(),
                     "finished_at": (now - timedelta(minutes=29)).isoformat(), "status": "ok",
                     "counts": {}, "errors": []}]
        return jsonify({"mailbox": self.mailbox, "sessions": sessions, "progress": None})

    def mailbox_action(self, mailbox_id: int, action: str):
        if mailbox_id != self.mailbox["id"] or action not in ("sync", "suspend", "resume"):
            return _error(404, "No such mailbox action.")
        if action == "sync":
            return jsonify({"status": "queued"}), 202
        suspended = action == "suspend"
        self.mailbox.update(status="suspended" if suspended else "active",
                            status_reason="Suspended by you" if suspended else None)
        return jsonify(self.mailbox), 200

    def blocklist_view(self):
        if request.method == "PUT":
            entries = (request.get_json(silent=True) or {}).get("entries")
            if not isinstance(entries, list):
                return _error(400, "entries must be a list.")
            self.blocklist = entries
        return jsonify({"entries": self.blocklist})
