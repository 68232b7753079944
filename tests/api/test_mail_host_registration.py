"""A server profile naming an internal host is refused at registration: 400 JSON naming the field and why."""
from __future__ import annotations

import pytest

from app import create_app
from schemas.mailboxes import EndpointsSchema
from tests.conftest import _clean, make_test_config
from tests.factories import Factory

HOSTILE_ENDPOINTS = [
    ("imap_host", "169.254.169.254", "cloud metadata"),
    ("imap_host", "localhost", "loopback name"),
    ("imap_host", "[::1]", "loopback"),
    ("imap_host", "::ffff:127.0.0.1", "loopback"),
    ("imap_host", "0x7f000001", "not a canonical IP"),
    ("imap_host", "2130706433", "not a canonical IP"),
    ("imap_host", "0177.0.0.1", "not a canonical IP"),
    ("imap_host", "127.1", "not a canonical IP"),
    ("imap_host", "10.0.0.8", "private"),
    ("imap_host", "100.64.0.1", "CGNAT"),
    ("imap_host", "fe80::1", "link-local"),
    ("imap_host", "fd00:ec2::254", "cloud metadata"),
    ("imap_host", "100.100.100.200", "cloud metadata"),
    ("imap_host", "0.0.0.0", "unspecified"),
    ("imap_host", "224.0.0.1", "multicast"),
    ("caldav_url", "http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("caldav_url", "http://localhost:6379/", "loopback name"),
    ("caldav_url", "http://[::1]:6379/", "loopback"),
    ("caldav_url", "http://[::ffff:127.0.0.1]/", "Not a valid URL"),  # the schema's URL check is first
    ("caldav_url", "http://0x7f000001/", "not a canonical IP"),
    ("caldav_url", "http://2130706433/", "not a canonical IP"),
    ("caldav_url", "https://dav.example.com:22/", "port 22 is refused"),
    ("carddav_url", "http://192.168.0.10/dav/", "private"),
    ("carddav_url", "https://user:secret@dav.example.com/", "credentials"),
]


@pytest.fixture
def make_app(tmp_path, migrated_databases, redis_url):
    """Apps on the SQLite test database with the given settings (the subject is not the backend)."""
    built = []

    def build(**overrides):
        application = create_app(make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url, **overrides))
        _clean(application)
        built.append(application)
        return application

    yield build
    for application in built:
        application.extensions["syncline"].db.dispose()


def _post_profile(app, endpoints: dict, kind: str = "imap"):
    factory = Factory(app)
    org = factory.org()
    headers = factory.auth(factory.user(org, admin=True))
    return app.test_client().post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers,
                                  json={"name": "Mail", "kind": kind, "endpoints": endpoints})


@pytest.mark.parametrize(("field", "value", "why"), HOSTILE_ENDPOINTS)
def test_hostile_mail_hosts_are_refused_at_registration(make_app, field, value, why):
    endpoints = {"imap_host": "imap.example.com", field: value}
    response = _post_profile(make_app(), endpoints)
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"} and body["code"] == 400
    assert f"endpoints.{field}" in body["message"] and why in body["message"]
    assert list(body["errors"]["json"]["endpoints"]) == [field]
    assert why in body["errors"]["json"]["endpoints"][field][0]


def test_every_bad_field_is_named_at_once(make_app):
    response = _post_profile(make_app(), {"imap_host": "127.0.0.1", "caldav_url": "http://10.0.0.1/",
                                          "carddav_url": "https://dav.example.com/"})
    assert response.status_code == 400
    assert set(response.get_json()["errors"]["json"]["endpoints"]) == {"imap_host", "caldav_url"}


def test_exchange_endpoints_are_guarded_too(make_app):
    response = _post_profile(make_app(), {"ews_url": "https://169.254.169.254/EWS/Exchange.asmx"}, kind="ews")
    assert response.status_code == 400 and "endpoints.ews_url" in response.get_json()["message"]


def test_allow_listed_loopback_servers_register(make_app):
    app = make_app(allowed_mail_hosts=("127.0.0.1", "mail.corp.internal"))
    response = _post_profile(app, {"imap_host": "127.0.0.1", "imap_port": 1143, "imap_tls": False,
                                   "caldav_url": "http://127.0.0.1:5232/", "carddav_url": "http://127.0.0.1:5232/"})
    assert response.status_code == 201, response.get_json()
    assert _post_profile(app, {"imap_host": "mail.corp.internal"}).status_code == 201
    assert _post_profile(app, {"imap_host": "127.0.0.2"}).status_code == 400


def test_production_requires_https_for_dav_unless_allow_listed():
    from app.config import Config
    from app.services.mail_hosts import InvalidEndpoints, check_endpoints, mail_host_policy

    production = Config(env="production", allowed_mail_hosts=("dav.corp.internal",))
    with pytest.raises(InvalidEndpoints, match="https is required"):
        check_endpoints({"caldav_url": "http://dav.example.com/"}, mail_host_policy(production))
    check_endpoints({"caldav_url": "https://dav.example.com/"}, mail_host_policy(production))
    check_endpoints({"caldav_url": "http://dav.corp.internal/"}, mail_host_policy(production))


# Endpoint fields that name no host; every other field must end in _host or _url to be guarded.
NOT_HOSTS = {"imap_port", "imap_tls", "tenant_id", "client_id", "gmail_push_topic", "gmail_push_service_account"}


def test_every_endpoint_field_is_either_guarded_or_names_no_host():
    unguarded = {name for name in EndpointsSchema().fields
                 if not name.endswith(("_host", "_url")) and name not in NOT_HOSTS}
    assert not unguarded, f"name these endpoint fields *_host or *_url so the host guard checks them: {unguarded}"
