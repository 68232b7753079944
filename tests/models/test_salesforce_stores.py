"""The Salesforce adapter's stores, with their real implementations: SQL tokens, Redis budget/lock/cache."""
from __future__ import annotations

import threading
import time

from app.models import SalesforceConnection
from app.models.salesforce_tokens import SqlTokenStore
from app.providers.salesforce.stores import ApiUsage, StoredConnection
from app.state.salesforce_cache import RedisBudgetStore, RedisDescribeCache, RedisRefreshLock
from tests.factories import Factory


def _connection(app, *, default: bool = True, status: str = "connected") -> tuple[int, str]:
    rt, factory = app.extensions["syncline"], Factory(app)
    org = factory.org()
    user = factory.user(org)
    with rt.db.session_scope() as s:
        conn = SalesforceConnection(org_id=org.id, user_id=user.id, instance_url="https://acme.my.salesforce.com",
                                    access_token_enc=rt.secrets.encrypt("00Dx!access"),
                                    refresh_token_enc=rt.secrets.encrypt("5Aep-refresh"),
                                    status=status, is_org_default=default)
        s.add(conn)
        s.flush()
        return conn.id, org.id


def test_sql_token_store_loads_decrypted_tokens_and_stores_a_rotation_encrypted(app):
    rt = app.extensions["syncline"]
    store = SqlTokenStore(rt.db, rt.secrets)
    conn_id, org_pk = _connection(app)
    assert store.load(conn_id) == StoredConnection(conn_id, org_pk, "https://acme.my.salesforce.com",
                                                   "00Dx!access", "5Aep-refresh", "connected", None)
    store.store_refreshed(conn_id, "00Dx!new", "5Aep-rotated", "https://acme2.my.salesforce.com")
    loaded = store.load(conn_id)
    assert (loaded.access_token, loaded.refresh_token, loaded.instance_url) == (
        "00Dx!new", "5Aep-rotated", "https://acme2.my.salesforce.com")
    with rt.db.session_scope() as s:
        row = s.get(SalesforceConnection, conn_id)
        assert "5Aep-rotated" not in row.refresh_token_enc and "00Dx!new" not in row.access_token_enc
    store.store_refreshed(conn_id, "00Dx!newer", None, "https://acme2.my.salesforce.com")
    assert store.load(conn_id).refresh_token == "5Aep-rotated"      # not rotated: the old one stays
    assert store.load(999_999) is None


def test_sql_token_store_marks_needs_reauth_once_and_finds_the_org_default(app):
    rt = app.extensions["syncline"]
    store = SqlTokenStore(rt.db, rt.secrets)
    conn_id, org_pk = _connection(app)
    assert store.org_default_connection(org_pk) == conn_id
    store.mark_needs_reauth(conn_id, "invalid_grant")
    store.mark_needs_reauth(conn_id, "a later reason")
    loaded = store.load(conn_id)
    assert (loaded.status, loaded.status_reason) == ("needs_reauth", "invalid_grant")
    _, other_org = _connection(app, default=False)
    assert store.org_default_connection(other_org) is None


def test_a_broken_default_connection_hands_the_org_wide_work_to_another_connected_admin(app):
    """The default admin's refresh token revoked: the org poll and CDC must not stop for every
    mailbox of the org; a Salesforce admin is preferred, a plain user never takes it."""
    rt, factory = app.extensions["syncline"], Factory(app)
    store = SqlTokenStore(rt.db, rt.secrets)
    org = factory.org()
    ids = {}
    for name, admin, granted, default, status in (("first-admin", True, False, True, "connected"),
                                                      ("plain", False, False, False, "connected"),
                                                      ("granted-admin", False, True, False, "connected"),
                                                      ("sf-admin", True, False, False, "connected"),
                                                      ("broken-admin", True, False, False, "needs_reauth")):
        user = factory.user(org, email=f"{name}@acme.test", sf_admin=admin, admin=granted)
        with rt.db.session_scope() as s:
            conn = SalesforceConnection(org_id=org.id, user_id=user.id, instance_url="https://acme.my.salesforce.com",
                                        access_token_enc=rt.secrets.encrypt("a"), status=status,
                                        is_org_default=default)
            s.add(conn)
            s.flush()
            ids[name] = conn.id
    store.mark_needs_reauth(ids["first-admin"], "invalid_grant")
    assert store.org_default_connection(org.id) == ids["sf-admin"]
    store.mark_needs_reauth(ids["sf-admin"], "user frozen")
    assert store.org_default_connection(org.id) == ids["granted-admin"]
    store.mark_needs_reauth(ids["plain"], "revoked")                   # not the default: nothing moves
    assert store.org_default_connection(org.id) == ids["granted-admin"]
    store.mark_needs_reauth(ids["granted-admin"], "revoked")           # nobody left: it stays, visibly broken
    assert store.org_default_connection(org.id) == ids["granted-admin"]
    with rt.db.session_scope() as s:
        assert sum(c.is_org_default for c in s.query(SalesforceConnection).filter_by(org_id=org.id)) == 1


def test_redis_budget_store_round_trips_usage_and_pauses(sqlite_app):
    store = RedisBudgetStore(sqlite_app.extensions["syncline"].redis.client)
    assert store.usage("1") is None and store.paused_until("1") is None
    store.record_usage("1", ApiUsage(80, 100, 1_700_000_000.5), ttl_s=60)
    assert store.usage("1") == ApiUsage(80, 100, 1_700_000_000.5) and store.usage("2") is None
    store.pause("1", 1_700_000_300.0, ttl_s=60)
    assert store.paused_until("1") == 1_700_000_300.0
    store.resume("1")
    assert store.paused_until("1") is None


def test_redis_limits_recheck_is_claimed_by_one_caller_per_window(sqlite_app):
    store = RedisBudgetStore(sqlite_app.extensions["syncline"].redis.client)
    wins: list[bool] = []
    threads = [threading.Thread(target=lambda: wins.append(store.claim_limits_recheck("1", 0.3))) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(wins) == [False] * 7 + [True]
    assert store.claim_limits_recheck("2", 0.3)             # per org
    time.sleep(0.35)
    assert store.claim_limits_recheck("1", 0.3)             # the next window


def test_redis_refresh_lock_admits_one_holder_at_a_time(sqlite_app):
    lock = RedisRefreshLock(sqlite_app.extensions["syncline"].redis.client)
    with lock.hold(7, timeout_s=5) as first:
        assert first
        with lock.hold(7, timeout_s=0.2) as second:
            assert not second
        with lock.hold(8, timeout_s=0.2) as other_connection:
            assert other_connection
    with lock.hold(7, timeout_s=0.2) as again:
        assert again


def test_redis_describe_cache_is_per_org_and_object_and_forgets(sqlite_app):
    cache = RedisDescribeCache(sqlite_app.extensions["syncline"].redis.client)
    cache.put("1", "Contact", '{"name": "Contact"}', ttl_s=60)
    assert cache.get("1", "contact") == '{"name": "Contact"}'
    assert cache.get("2", "Contact") is None and cache.get("1", "Lead") is None
    cache.forget("1", "Contact")
    assert cache.get("1", "Contact") is None
