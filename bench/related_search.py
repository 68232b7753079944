"""Initial Search latency: POST /api/v1/related-records end to end at 50 ms Salesforce latency.

Run `python bench/related_search.py` (starts its own HTTPS emulator, SQLite and an embedded
Redis); an email with 10 participants (known Contacts, a Lead, colleagues, strangers), warm
caches. Prints `metric: value` lines; API calls are counted by the emulator, as Salesforce does.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from app import create_app  # noqa: E402
from app.config import Config  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import SalesforceConnection, User  # noqa: E402
from app.services.sidebar_salesforce import sidebar_port  # noqa: E402
from app.services.tokens import issue_token  # noqa: E402
from app.services.users import find_or_create_org, find_or_create_user  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402

RUNS = 60
LATENCY_MS = 50


def participants() -> dict:
    known = [{"email": f"buyer{n}@globex.example", "name": f"Buyer {n}"} for n in range(4)]
    strangers = [{"email": f"new{n}@globex.example", "name": f"New Person {n}"} for n in range(2)]
    colleagues = [{"email": f"rep{n}@acme.example", "name": f"Rep {n}"} for n in range(2)]
    return {"kind": "email", "mode": "read", "message_id": "<bench@globex.example>", "message_ref": None,
            "thread_id": "bench-thread", "subject": "Re: Case 00001000 and the renewal",
            "from": {"email": "buyer0@globex.example", "name": "Buyer 0"},
            "to": [{"email": "bench@acme.example", "name": "Bench User"}, *colleagues],
            "cc": [*known[1:], *strangers, {"email": "raj@initech.example", "name": "Raj Patel"}],
            "attendees": [], "date": "2025-03-03T08:15:00Z", "ical_uid": None,
            "body_text": "Hello,\nsee below.\n\nBest regards,\nBuyer Zero\nHead of Procurement\nGlobex Corporation\n"
                         "+1 555 0100"}


def seed(emu: SalesforceEmulator, sf_org: str) -> None:
    account = emu.insert(sf_org, "Account", {"Name": "Globex Corporation", "Website": "https://globex.example"})
    for n in range(4):
        emu.insert(sf_org, "Contact", {"LastName": f"Buyer {n}", "Email": f"buyer{n}@globex.example",
                                       "AccountId": account})
    for n in range(3):
        emu.insert(sf_org, "Opportunity", {"Name": f"Deal {n}", "StageName": "Prospecting",
                                           "CloseDate": "2026-06-30", "AccountId": account})
        emu.insert(sf_org, "Case", {"Subject": f"Issue {n}", "AccountId": account})
    emu.insert(sf_org, "Lead", {"LastName": "Patel", "Company": "Initech", "Email": "raj@initech.example"})
    for n in range(200):
        emu.insert(sf_org, "Contact", {"LastName": f"Noise {n}", "Email": f"noise{n}@elsewhere.example"})


def build(emu: SalesforceEmulator, workdir: Path):
    database = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(database)
    config = Config(env="test", instance_dir=workdir, database_url=database, secret_keys=(Fernet.generate_key().decode(),),
                    salesforce_client_id="bench", salesforce_login_url=emu.base_url, salesforce_ca_bundle=emu.ca_path,
                    salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,), log_level="WARNING")
    app = create_app(config)
    rt = app.extensions["syncline"]
    sf_org = emu.create_org(name="Acme")
    sf_user = emu.create_user(sf_org, email="bench@acme.example", admin=True)
    for n in range(2):
        emu.create_user(sf_org, email=f"rep{n}@acme.example")
    tokens = emu.issue_tokens(sf_org, sf_user)
    seed(emu, sf_org)
    with rt.db.session_scope() as s:
        org = find_or_create_org(s, sf_org, "Acme", tokens["instance_url"])
        user = find_or_create_user(s, org, sf_user_id=sf_user, email="bench@acme.example", sf_admin=True)
        s.add(SalesforceConnection(org_id=org.id, user=user, instance_url=tokens["instance_url"], is_org_default=True,
                                   access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
                                   refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"])))
        s.flush()
        _, token = issue_token(s, user)
        user_id = user.id
    with rt.db.session_scope() as s, app.app_context():
        crm = sidebar_port(rt, s.get(User, user_id))
        for sobject in ("EmailMessage", "Task", "Contact", "Lead"):
            crm.describe(sobject)              # warm describe cache, as in a running service
    return app, sf_org, token


def main() -> None:
    emu = SalesforceEmulator()
    emu.start(host="127.0.0.1", port=0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            app, sf_org, token = build(emu, Path(tmp))
            client, headers, item = app.test_client(), {"Authorization": f"Bearer {token}"}, participants()
            client.post("/api/v1/related-records", json={"item": item}, headers=headers)      # warm-up
            emu.faults.latency_ms = LATENCY_MS
            emu.reset_api_calls(sf_org)
            timings = []
            for _ in range(RUNS):
                start = time.perf_counter()
                response = client.post("/api/v1/related-records", json={"item": item}, headers=headers)
                timings.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, response.get_json()
            calls = emu.api_calls(sf_org) / RUNS
            app.extensions["syncline"].db.dispose()
    finally:
        emu.stop()
    timings.sort()
    print(f"related_search_p50_ms: {statistics.median(timings):.0f}")
    print(f"related_search_p95_ms: {timings[int(len(timings) * 0.95) - 1]:.0f}")
    print(f"related_search_sf_calls: {calls:g}")
    print(f"related_search_participants: {1 + len(item['to']) + len(item['cc'])}")


if __name__ == "__main__":
    main()
