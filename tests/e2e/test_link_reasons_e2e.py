"""The resolution ladder through the whole product (worker, Dovecot, emulator): the admin's
Opportunity rule from the org settings, validated on input, decides the Related To, and the
dashboard lists each saved item with why it links where it does."""
from __future__ import annotations

from tests.e2e.helpers import force_sync, sign_up
from tests.e2e.test_email_saves_e2e import _append


def test_the_org_rule_links_the_largest_opportunity_and_the_dashboard_says_why(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task")
    client = e2e.app.test_client()
    refused = client.patch(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers,
                           json={"link_opportunity_rule": "by_stage"})
    assert refused.status_code in (400, 422) and "link_opportunity_stages" in str(refused.json)
    assert client.patch(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers,
                        json={"link_org_domains": ["not a domain"]}).status_code in (400, 422)
    assert client.patch(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers,
                        json={"link_opportunity_rule": "largest"}).status_code == 200
    emu = e2e.emu
    account = emu.insert(ann.sf_org, "Account", {"Name": "Buyer GmbH", "Website": "https://www.buyer.de"})
    emu.insert(ann.sf_org, "Opportunity", {"Name": "Small", "StageName": "Prospecting", "Amount": 5,
                                           "CloseDate": "2027-01-31", "AccountId": account})
    big = emu.insert(ann.sf_org, "Opportunity", {"Name": "Big", "StageName": "Prospecting", "Amount": 500,
                                                 "CloseDate": "2027-01-31", "AccountId": account})
    _append(ann, "<order-1@buyer.de>", "someone.new@mail.buyer.de", ann.user.email, flags=("Salesforce",))
    assert force_sync(ann)["status"] == "succeeded"
    [task] = [t for t in emu.records(ann.sf_org, "Task") if t.get("Subject") == "Email: Proposal"]
    assert task["WhatId"] == big
    dashboard = client.get(f"/api/v1/mailboxes/{ann.mailbox_id}/dashboard", headers=ann.headers).json
    assert {"kind": "mail", "object_type": "Task", "record_id": task["Id"], "uid": "<order-1@buyer.de>",
            "link_reasons": ["what: domain_account buyer.de", "what: largest_opportunity"]} in dashboard["linked_items"]
