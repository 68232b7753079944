"""Linking quality on the labelled corpus (tests/data/linking/corpus.json), end to end.

Run `python bench/linking.py` (starts its own HTTPS emulator, SQLite and an embedded Redis):
seeds the corpus into a fresh org, links all 200+ emails and meetings as one session through the
real Salesforce adapter, and prints `metric: value` lines. Who and What are scored as slots:
precision = right links / links made, recall = right links / links expected. API calls are
counted by the emulator, as Salesforce does.

Autoresolve is scored on its own labelled corpus (tests/autoresolve_corpus), run once as Leads and
once as Contacts (+ Accounts by domain), each in a fresh org as one session through the product's
session wrappers: `autoresolve_precision` = creations whose sobject and labelled fields are all
right / all creations (one nobody expected is wrong), `autoresolve_recall` = right / expected.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet  # noqa: E402

from app.config import Config  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Org, SalesforceConnection, User  # noqa: E402
from app.providers.salesforce.connect import connect  # noqa: E402
from app.providers.salesforce.crm_port import SalesforceCrmPort  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from app.services.link_rules import site_domain  # noqa: E402
from app.sync.link_ladder import LadderRules  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402
from tests.autoresolve_corpus import ITEMS  # noqa: E402
from tests.autoresolve_corpus.scoring import SOBJECT_OF_MODE, AutoresolveScores, score_mode  # noqa: E402
from tests.linking_corpus import load_corpus, score_corpus, seed_corpus  # noqa: E402


def runtime(emu: SalesforceEmulator, workdir: Path) -> Runtime:
    database = f"sqlite:///{workdir / 'bench.db'}"
    upgrade(database)
    return Runtime.build(Config(
        env="test", instance_dir=workdir, database_url=database, secret_keys=(Fernet.generate_key().decode(),),
        salesforce_client_id="bench", salesforce_login_url=emu.base_url, salesforce_ca_bundle=emu.ca_path,
        salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,), log_level="WARNING"))


def connection(rt: Runtime, emu: SalesforceEmulator, sf_org: str, owner: str) -> tuple[int, str]:
    sf_user = emu.create_user(sf_org, email=owner, admin=True)
    tokens = emu.issue_tokens(sf_org, sf_user)
    with rt.db.session_scope() as s:
        org = Org(sf_org_id=sf_org, name="Acme", instance_url=tokens["instance_url"], settings={})
        user = User(org=org, sf_user_id=sf_user, email=owner, name="Ann", sf_admin=True)
        conn = SalesforceConnection(org=org, user=user, instance_url=tokens["instance_url"], status="connected",
                                    access_token_enc=rt.secrets.encrypt(tokens["access_token"]),
                                    refresh_token_enc=rt.secrets.encrypt(tokens["refresh_token"]), is_org_default=True)
        s.add_all([org, user, conn])
        s.flush()
        return conn.id, sf_user


def autoresolve(rt: Runtime, emu: SalesforceEmulator) -> AutoresolveScores:
    """The autoresolve corpus once per mode, each in a fresh org; the scores summed."""
    total = AutoresolveScores()
    for mode in SOBJECT_OF_MODE:
        sf_org = emu.create_org(name="Acme")
        connection_id, sf_user = connection(rt, emu, sf_org, f"ann.{mode}@acme.test")
        total.add(score_mode(emu, sf_org, SalesforceCrmPort(connect(rt, connection_id), sf_user), mode, ITEMS))
    return total


def main() -> None:
    corpus = load_corpus()
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rt = runtime(emu, Path(tmp))
            sf_org = emu.create_org(name="Acme")
            connection_id, sf_user = connection(rt, emu, sf_org, corpus["owner"])
            ids = seed_corpus(emu, sf_org, corpus)
            port = SalesforceCrmPort(connect(rt, connection_id), sf_user)
            rules = LadderRules(org_domains=frozenset(corpus["org_domains"]), site_of=site_domain)
            emu.reset_api_calls(sf_org)
            scores = score_corpus(port, corpus, ids, rules)
            scores.calls = emu.api_calls(sf_org)
            resolved = autoresolve(rt, emu)
            rt.db.dispose()
    finally:
        emu.stop()
    runs = len(SOBJECT_OF_MODE) * len(ITEMS)
    print(f"link_precision: {scores.precision:.3f}")
    print(f"link_recall: {scores.recall:.3f}")
    print(f"autoresolve_precision: {resolved.precision:.3f}")
    print(f"autoresolve_recall: {resolved.recall:.3f}")
    print(f"sf_calls_per_item: {scores.calls_per_item:.3f}")
    print(f"linking_items: {scores.items}")
    print(f"autoresolve_items: {len(ITEMS)}")
    print(f"autoresolve_creations: {resolved.created}")
    print(f"autoresolve_sf_calls_per_item: {resolved.calls / runs:.3f}")


if __name__ == "__main__":
    main()
