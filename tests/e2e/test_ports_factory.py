"""`default_ports`: which adapter a profile gets, and the options it is built with."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.services.fanned_out_crm import FannedOutCrm
from app.services.ports_factory import ProviderUnavailable, default_ports, mailbox_options
from app.services.settings import DEFAULT_ORG_SETTINGS
from tests.e2e.helpers import sign_up

SETTINGS = {**DEFAULT_ORG_SETTINGS, "salesforce_category": "CRM", "salesforce_folder": "To CRM"}


@pytest.mark.parametrize("endpoints, plaintext", [
    ({"imap_host": "mail.example", "imap_tls": True, "caldav_url": "https://dav.example/"}, False),
    ({"imap_host": "mail.example"}, False),
    ({"imap_host": "127.0.0.1", "imap_tls": False}, True),
    ({"caldav_url": "http://127.0.0.1:5232/"}, True),
])
def test_plaintext_is_allowed_only_where_the_endpoints_say_so(endpoints, plaintext):
    options = mailbox_options(endpoints, SETTINGS)
    assert options.allow_plaintext is plaintext
    assert (options.category, options.salesforce_folder) == ("CRM", "To CRM")


def test_unknown_kinds_still_fail_with_a_clear_reason(e2e):
    mailbox = SimpleNamespace(server_profile=SimpleNamespace(kind="ews"))
    with pytest.raises(ProviderUnavailable, match="no adapter for 'ews'"):
        default_ports(e2e.rt, mailbox, None)


def test_imap_profiles_get_the_dav_mailbox_the_owners_salesforce_and_email_saving(e2e, factory):
    from app.models import Mailbox

    ann = sign_up(e2e, factory)
    with e2e.rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, ann.mailbox_id)
        user, _ = mailbox.user, mailbox.server_profile
        s.expunge_all()
    ports = default_ports(e2e.rt, mailbox, user)
    try:
        assert isinstance(ports.crm, FannedOutCrm) and ports.crm.owner_id == ann.sf_user   # routed org changes
        assert isinstance(ports.crm._crm, SalesforceCrmPort)
        assert ports.describe("Event")["name"] == "Event" and ports.describe("NoSuchObject__c") is None
        assert [step.__name__ for step in ports.extra_steps] == ["save_tagged_emails", "link_saved_meetings"]
        assert ports.extra_steps[0]() == {"counts": {"mail": {"created": 0, "updated": 0, "deleted": 0,
                                                              "skipped": 0, "failed": 0, "recorded": 0,
                                                              "skipped_because": {}}},
                                          "errors": [], "skipped_items": []}
    finally:
        ports.close()
