"""Both ways into Office 365 against the fake Entra ID (real msal, real HTTPS): a certificate's
client assertion, and a delegated sign-in (code + PKCE) refreshed silently until Entra ID refuses
the refresh token with each of its AADSTS codes."""
from __future__ import annotations

import dataclasses

import pytest

from app.providers.graph import build_graph_mailbox
from app.providers.graph.certificates import BadCertificate, checked_certificate
from app.providers.graph.connect import checked_session, registration
from app.providers.graph.delegated import DelegatedTokens, SignInRefused, begin_sign_in, finish_sign_in
from app.providers.graph.permissions import APPLICATION, DELEGATED, granted, missing
from app.sync.errors import AuthFailure
from app.sync.items import FolderKind
from tests.integration.graph.auth_helpers import browser_visit, self_signed
from tests.integration.graph.conftest import WINDOW, graph_settings

REDIRECT = "https://syncline.test/api/v1/auth/microsoft/callback"


@pytest.fixture(scope="module")
def certificate(graph_fake):
    key, cert = self_signed()
    graph_fake.store.identity.add_certificate("app-1", cert)
    return checked_certificate(key, cert)[0]


def test_a_certificate_signs_the_client_assertion_and_the_token_carries_the_app_roles(graph_fake, graph_user,
                                                                                      certificate):
    settings = graph_settings(graph_fake, client_secret="", certificate=certificate)
    mailbox = build_graph_mailbox(settings, graph_user, WINDOW)
    try:
        assert mailbox.changes_since(FolderKind.CALENDAR, None).items == ()
        token = mailbox.tokens.access_token()
    finally:
        mailbox.close()
    assert "Calendars.ReadWrite" in granted(token, APPLICATION)
    assert missing(granted(token, APPLICATION), ["calendar", "tasks", "mail"], APPLICATION) == []


def test_a_certificate_the_app_registration_does_not_know_is_refused_with_its_aadsts_code(graph_fake, graph_user):
    stranger = checked_certificate(*self_signed())[0]
    mailbox = build_graph_mailbox(graph_settings(graph_fake, client_secret="", certificate=stranger), graph_user, WINDOW)
    with pytest.raises(AuthFailure, match="invalid_client.*AADSTS700027"):
        mailbox.changes_since(FolderKind.CALENDAR, None)
    mailbox.close()


def test_a_key_that_does_not_match_its_certificate_is_refused_when_stored():
    key, _ = self_signed()
    _, other_cert = self_signed()
    with pytest.raises(BadCertificate, match="does not belong"):
        checked_certificate(key, other_cert)
    with pytest.raises(BadCertificate, match="PEM X.509"):
        checked_certificate(key, "not a certificate")


def _signed_in(graph_fake, user: str, settings):
    reg = registration(settings, checked_session(settings))
    flow = begin_sign_in(reg, REDIRECT, login_hint=user)
    assert "code_challenge_method=S256" in flow["auth_uri"]
    graph_fake.store.identity.browser_user = user
    try:
        answer = browser_visit(flow["auth_uri"], graph_fake.ca_path)
    finally:
        graph_fake.store.identity.browser_user = None
    return reg, finish_sign_in(reg, flow, answer)


def test_a_delegated_sign_in_syncs_its_own_mailbox_with_scp_permissions_only(graph_fake, graph_user):
    settings = dataclasses.replace(graph_settings(graph_fake), auth_mode=DELEGATED)
    _, done = _signed_in(graph_fake, graph_user, settings)
    assert done.username == graph_user and done.account_id
    stored: list[str] = []
    mailbox = build_graph_mailbox(dataclasses.replace(settings, token_cache=done.cache, account_id=done.account_id),
                                  graph_user, WINDOW, on_token_cache=stored.append)
    try:
        assert mailbox.changes_since(FolderKind.CALENDAR, None).full
        token = mailbox.tokens.access_token(True)          # a forced refresh rotates the refresh token ...
        assert stored, "the rotated cache was handed over for storage before the token was used"
        assert granted(token, DELEGATED) >= {"Calendars.ReadWrite", "User.Read"}
        assert granted(token, APPLICATION) == set()
    finally:
        mailbox.close()
    other = graph_fake.store.add_user("someone-else@contoso.test")
    peek = build_graph_mailbox(dataclasses.replace(settings, token_cache=stored[-1], account_id=done.account_id),
                               other, WINDOW)
    with pytest.raises(Exception, match="403"):
        peek.changes_since(FolderKind.CALENDAR, None)      # a user's token reaches that user only
    peek.close()


@pytest.mark.parametrize("code", [50173, 70008, 700082])
def test_a_refused_refresh_token_is_an_auth_failure_naming_the_aadsts_code(graph_fake, graph_user, code):
    settings = dataclasses.replace(graph_settings(graph_fake), auth_mode=DELEGATED)
    reg, done = _signed_in(graph_fake, graph_user, settings)
    tokens = DelegatedTokens(reg, done.cache, done.account_id)
    assert tokens.access_token()
    graph_fake.store.identity.refuse_refresh(graph_user, code)
    with pytest.raises(AuthFailure, match=f"invalid_grant: AADSTS{code}"):
        tokens.access_token(fresh=True)


def test_a_sign_in_answer_for_another_flow_or_a_tampered_verifier_is_refused(graph_fake, graph_user):
    settings = dataclasses.replace(graph_settings(graph_fake), auth_mode=DELEGATED)
    reg = registration(settings, checked_session(settings))
    first, second = (begin_sign_in(reg, REDIRECT, login_hint=graph_user) for _ in range(2))
    answer = browser_visit(first["auth_uri"], graph_fake.ca_path)
    with pytest.raises(SignInRefused, match="does not belong"):
        finish_sign_in(reg, second, answer)                 # the state is checked
    tampered = {**first, "code_verifier": "x" * 43}
    with pytest.raises(SignInRefused, match="AADSTS501481"):
        finish_sign_in(reg, tampered, answer)               # the fake verifies PKCE S256
