"""Optional JSON persistence of the whole emulator under `--state-dir` (sandbox mode).

Saved: orgs, records, recycle bin, API counters, users, OAuth grants and custom field definitions
(CustomField rows). Not saved: validation/duplicate rules, faults and query cursors (runtime-only).
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.private_file import write_private

from .custom_fields import apply, register_existing, tables
from .ids import IdFactory
from .store import Org
from .values import format_datetime, parse_datetime

if TYPE_CHECKING:
    from .emulator import SalesforceEmulator

STATE_FILE = "salesforce-emulator.json"


def dump(emu: SalesforceEmulator) -> dict[str, Any]:
    """A JSON-ready snapshot of the emulator's durable state."""
    with emu.lock:
        orgs = [{
            "id": o.id, "name": o.name, "pod": o.ids.pod, "created": format_datetime(o.created),
            "daily_api_max": o.daily_api_max, "api_calls": o.api_calls,
            "autonumbers": o.autonumbers, "ids_issued": o.ids.issued,
            "records": {k: list(v.values()) for k, v in o.store.by_type.items()},
            "deleted_at": {r: format_datetime(w) for r, w in o.store.deleted_at.items()},
            "custom_fields": list(o.custom_fields.values()),
        } for o in emu.orgs.values()]
        login = list(emu._login) if emu._login else None
        return {"orgs": orgs, "user_org": emu.user_org, "login": login,
                "oauth": emu.oauth.dump()}


def restore(emu: SalesforceEmulator, data: dict[str, Any]) -> None:
    """Load a snapshot made by `dump` into an empty emulator."""
    for item in data.get("orgs", []):
        factory = IdFactory(item["pod"])
        factory.advance_past(int(item["ids_issued"]))
        org = Org(item["id"], item["name"], factory, parse_datetime(item["created"]),
                  item["daily_api_max"], item["api_calls"])
        org.autonumbers = dict(item.get("autonumbers", {}))
        for kind, rows in item["records"].items():
            for row in rows:
                org.store.put(kind, row)
        org.store.deleted_at = {r: parse_datetime(w) for r, w in item["deleted_at"].items()}
        _restore_custom_fields(org, item.get("custom_fields"))
        org.store.clear_journal()
        emu.orgs[org.id] = org
        if not org.store.all("PermissionSet"):      # saved before field-level security was modelled
            register_existing(org, lambda o=org: o.ids.new("00N"))
            emu._profile_permission_sets(org)
    emu.user_org = dict(data.get("user_org", {}))
    login = data.get("login")
    emu._login = (login[0], login[1]) if login else None
    emu.oauth.load(data.get("oauth", {}))


def _restore_custom_fields(org: Org, rows: list[dict[str, Any]] | None) -> None:
    """The schema's custom fields are exactly the saved definitions (older files: the catalog's)."""
    if rows is None:
        return
    org.custom_fields = {r["FullName"].lower(): r for r in rows}
    for obj in org.schema.objects.values():
        table = "Activity" if obj.name in tables("Activity") else obj.name
        for name in [n for n in obj.fields if n.endswith("__c")]:
            if f"{table}.{name}".lower() not in org.custom_fields:
                del obj.fields[name]
    for r in rows:
        name = r["FullName"].partition(".")[2]
        if any(org.schema.objects[kind].fields.get(name) is None for kind in tables(r["TableEnumOrId"])):
            apply(org, r["TableEnumOrId"], name, r["Metadata"])


def load(emu: SalesforceEmulator, state_dir: str) -> None:
    path = os.path.join(state_dir, STATE_FILE)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            restore(emu, json.load(fh))


_SAVING = threading.Lock()   # the Saver thread and an explicit save (seeding) must not interleave


def save(emu: SalesforceEmulator, state_dir: str) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file; one save at a
    time, each through its own temp file (two saves sharing one lost the rename race)."""
    os.makedirs(state_dir, exist_ok=True)
    path = os.path.join(state_dir, STATE_FILE)
    with _SAVING:
        write_private(Path(path), json.dumps(dump(emu)).encode())


class Saver:
    """Background thread that saves at most once a second while changes are pending."""

    def __init__(self, emu: SalesforceEmulator) -> None:
        self.emu = emu
        self.dirty = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sf-emulator-saver",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            if self.dirty.is_set():
                self.dirty.clear()
                save(self.emu, self.emu.state_dir or ".")

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        save(self.emu, self.emu.state_dir or ".")


__all__ = ["dump", "restore", "load", "save", "Saver"]
