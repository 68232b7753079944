"""Sidebar sign-in (`return_to` → `#token=`), serving /sidebar/, and CORS for extension origins."""
from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests

from app import create_app
from tests.conftest import _clean, emulator_overrides, make_test_config

EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop"
CHROME_RETURN = f"https://{EXTENSION_ID}.chromiumapp.org/syncline"


@pytest.fixture
def ext_app(tmp_path, migrated_databases, redis_url, salesforce_emulator):
    application = create_app(make_test_config(
        tmp_path, migrated_databases[0]["sqlite"], redis_url, **emulator_overrides(salesforce_emulator),
        extension_origins=(f"chrome-extension://{EXTENSION_ID}",)))
    _clean(application)
    yield application
    application.extensions["syncline"].db.dispose()


def _login(client, return_to):
    return client.get(f"/api/v1/auth/salesforce/login?return_to={quote(return_to, safe='')}")


def _round_trip(client, emu, start):
    """Play the browser through Salesforce's authorize page back to our callback."""
    browser = requests.Session()
    browser.trust_env, browser.verify = False, emu.ca_path
    back = browser.get(start.headers["Location"], allow_redirects=False)
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


@pytest.mark.parametrize("return_to", [CHROME_RETURN, "http://localhost/sidebar/auth-done.html",
                                       "http://localhost/sidebar/index.html?host=web"])
def test_sign_in_with_return_to_redirects_there_with_a_working_token(ext_app, salesforce_emulator, return_to):
    emu = salesforce_emulator
    org = emu.create_org(name="Initech")
    emu.set_login_user(org, emu.create_user(org, email=f"bill{len(return_to)}@initech.test", admin=True,
                                            username=f"bill-{len(return_to)}-{id(ext_app)}@initech.test"))
    client = ext_app.test_client()
    start = _login(client, return_to)
    assert start.status_code == 302, start.get_json()
    done = _round_trip(client, emu, start)
    assert done.status_code == 302
    target, _, fragment = done.headers["Location"].partition("#")
    assert target == return_to and fragment.startswith("token=")
    token = parse_qs(fragment)["token"][0]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


@pytest.mark.parametrize("return_to", [
    "https://evil.example/sidebar/", "https://otherid.chromiumapp.org/syncline",
    f"https://{EXTENSION_ID}.chromiumapp.org/other", f"http://{EXTENSION_ID}.chromiumapp.org/syncline",
    "http://localhost/api/v1/me", "http://localhost/sidebar/../api", "http://localhost:8080/sidebar/",
    "http://user@localhost/sidebar/", "http://localhost/sidebar/index.html#x", "javascript:alert(1)",
])
def test_return_to_outside_the_allow_list_is_refused(ext_app, return_to):
    response = _login(ext_app.test_client(), return_to)
    assert response.status_code == 400 and "return_to" in response.get_json()["errors"]


def test_refused_sign_in_goes_back_with_the_error(ext_app):
    client = ext_app.test_client()
    state = parse_qs(urlsplit(_login(client, CHROME_RETURN).headers["Location"]).query)["state"][0]
    response = client.get(f"/api/v1/auth/salesforce/callback?state={state}&error=access_denied"
                          "&error_description=end-user+denied+authorization")
    assert response.status_code == 302
    assert response.headers["Location"] == (f"{CHROME_RETURN}#error=access_denied"
                                            "&error_description=end-user%20denied%20authorization")
    again = client.get(f"/api/v1/auth/salesforce/callback?state={state}&code=x")
    assert again.status_code == 401     # the state is spent: no redirect target is trusted any more


def test_without_return_to_the_callback_still_answers_json(ext_app, salesforce_emulator):
    emu = salesforce_emulator
    org = emu.create_org(name="Json Co")
    emu.set_login_user(org, emu.create_user(org, email="j@json.test", admin=True, username=f"j-{id(ext_app)}@json.test"))
    client = ext_app.test_client()
    done = _round_trip(client, emu, client.get("/api/v1/auth/salesforce/login"))
    assert done.status_code == 200 and done.get_json()["token"]["token"].startswith("slk_")


@pytest.mark.parametrize("path, mime", [("/sidebar/", "text/html"), ("/sidebar/app.js", "text/javascript"),
                                        ("/sidebar/views/item.js", "text/javascript"),
                                        ("/sidebar/sidebar.css", "text/css"), ("/sidebar/icons/icon-16.png", "image/png")])
def test_sidebar_files_are_served_with_their_types(ext_app, path, mime):
    response = ext_app.test_client().get(path)
    assert response.status_code == 200 and response.mimetype == mime
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_outlook_pages_may_be_framed_by_outlook_and_others_not(ext_app):
    client = ext_app.test_client()
    outlook = client.get("/sidebar/outlook.html").headers["Content-Security-Policy"]
    assert "frame-ancestors" in outlook and "https://*.office.com" in outlook and "https://outlook.live.com" in outlook
    assert client.get("/sidebar/index.html").headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert client.get("/sidebar/../app/config.py").status_code == 404
    assert client.get("/sidebar/build.py").status_code == 404


def test_cors_answers_only_configured_extension_origins(ext_app):
    client = ext_app.test_client()
    allowed = client.options("/api/v1/me", headers={"Origin": f"chrome-extension://{EXTENSION_ID}",
                                                    "Access-Control-Request-Method": "GET"})
    assert allowed.headers["Access-Control-Allow-Origin"] == f"chrome-extension://{EXTENSION_ID}"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = client.get("/api/v1/health", headers={"Origin": "chrome-extension://someoneelse"})
    assert "Access-Control-Allow-Origin" not in other.headers
