"""The `up` banner points at things a newcomer can open or paste: the sidebar's Sync view and the
sandbox's Salesforce records, through Salesforce's own REST API on the emulator."""
from __future__ import annotations

import shlex
from urllib.parse import parse_qs, urlsplit

import requests

from app import create_app
from sandbox import seed_data as data
from sandbox.banner import sandbox_banner

API = "http://127.0.0.1:5000"


def _line(banner: str, label: str) -> str:
    [line] = [line for line in banner.splitlines() if line.startswith(label)]
    return line[len(label):].strip()


def test_the_records_line_is_a_curl_that_lists_the_seeded_contacts(sandbox):
    words = shlex.split(_line(sandbox_banner(API, sandbox.env, sandbox.seed), "Records"))
    assert words[0] == "curl"
    ca, header, url = words[words.index("--cacert") + 1], words[words.index("-H") + 1], words[-1]
    session = requests.Session()
    session.trust_env = False
    answer = session.get(url, headers=dict([header.split(": ", 1)]), verify=ca, timeout=10)
    assert answer.status_code == 200, answer.text
    names = {record["Name"] for record in answer.json()["records"]}
    assert {f"{c['FirstName']} {c['LastName']}" for _, c in data.CONTACTS.values()} <= names


def test_the_sync_view_line_opens_the_sidebar_on_its_sync_page_signed_in(sandbox):
    link = urlsplit(_line(sandbox_banner(API, sandbox.env, sandbox.seed), "Sync view").split()[0])
    assert f"{link.scheme}://{link.netloc}" == API and link.path == "/sidebar/"
    fragment = parse_qs(link.fragment)
    assert fragment == {"view": ["dashboard"], "token": [sandbox.seed.rows.api_token]}
    page = create_app(sandbox.rt.config).test_client().get(link.path)
    assert page.status_code == 200 and b'data-view="dashboard"' in page.get_data()
