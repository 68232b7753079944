"""GET /orgs/{id}/salesforce shows every rate-limit pause with its end, not null while work is refused."""
from __future__ import annotations

from datetime import datetime

import pytest

from app.models import Org
from app.providers.salesforce.connect import api_budget, connect
from app.providers.salesforce.errors import ApiBudgetExhausted, OrgPaused
from tests.factories import Factory


def test_request_limit_exceeded_pause_stays_visible_until_work_may_run(sf_app, salesforce_emulator):
    rt, factory = sf_app.extensions["syncline"], Factory(sf_app)
    user, sf_org, _ = factory.salesforce_user(salesforce_emulator)
    headers = factory.auth(user)
    essential = connect(rt, user.connection.id, essential=True)
    salesforce_emulator.set_daily_api_max(sf_org, salesforce_emulator.api_calls(sf_org) + 1)
    essential.query_page("SELECT Id FROM User")
    with pytest.raises(OrgPaused) as info:
        essential.query_page("SELECT Id FROM User")
    status = sf_app.test_client().get(f"/api/v1/orgs/{user.org_id}/salesforce", headers=headers).get_json()
    shown = datetime.fromisoformat(status["paused_until"]).timestamp()
    assert shown == pytest.approx(info.value.paused_until, abs=1)
    assert status["api_used"] == status["api_max"]

    api_budget(rt, user.org_id).resume()           # the pause ran out; cached usage is still max/max
    with pytest.raises(ApiBudgetExhausted) as refused:
        connect(rt, user.connection.id).query_page("SELECT Id FROM User")
    status = sf_app.test_client().get(f"/api/v1/orgs/{user.org_id}/salesforce", headers=headers).get_json()
    assert status["paused_until"] is not None
    assert datetime.fromisoformat(status["paused_until"]).timestamp() == pytest.approx(
        refused.value.paused_until, abs=1)


def test_only_an_admin_names_the_integration_user_and_it_shows_in_the_status(sf_app, salesforce_emulator):
    factory, client = Factory(sf_app), sf_app.test_client()
    admin, _, _ = factory.salesforce_user(salesforce_emulator)
    with sf_app.extensions["syncline"].db.session_scope() as s:
        member = factory.user(s.get(Org, admin.org_id))
    url = f"/api/v1/orgs/{admin.org_id}/salesforce/integration-user"
    assert client.put(url, headers=factory.auth(member), json={"user_id": member.id}).status_code == 403
    refused = client.put(url, headers=factory.auth(admin), json={"user_id": member.id})
    assert refused.status_code == 400 and "sign in to Salesforce first" in refused.get_json()["errors"]["user_id"][0]
    assert client.put(url, headers=factory.auth(admin), json={"user": 1}).status_code == 400
    done = client.put(url, headers=factory.auth(admin), json={"user_id": admin.id})
    assert done.status_code == 200
    assert (done.get_json()["integration_user_id"], done.get_json()["integration_connection"]) == (admin.id, "connected")
    events = client.get(f"/api/v1/orgs/{admin.org_id}/audit-events", headers=factory.auth(admin)).get_json()
    assert "org.salesforce_integration_user.changed" in str(events)
    sneaky = client.patch(f"/api/v1/orgs/{admin.org_id}/settings", headers=factory.auth(admin),
                          json={"salesforce_integration_user_id": member.id})
    assert sneaky.status_code == 400          # only the validated, audited endpoint sets it
    off = client.put(url, headers=factory.auth(admin), json={"user_id": None}).get_json()
    assert off["integration_user_id"] is None and off["integration_connection"] is None
