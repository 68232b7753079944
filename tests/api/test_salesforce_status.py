"""GET /orgs/{id}/salesforce shows every rate-limit pause with its end, not null while work is refused."""
from __future__ import annotations

from datetime import datetime

import pytest

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

    api_budget(rt, str(user.org_id)).resume()           # the pause ran out; cached usage is still max/max
    with pytest.raises(ApiBudgetExhausted) as refused:
        connect(rt, user.connection.id).query_page("SELECT Id FROM User")
    status = sf_app.test_client().get(f"/api/v1/orgs/{user.org_id}/salesforce", headers=headers).get_json()
    assert status["paused_until"] is not None
    assert datetime.fromisoformat(status["paused_until"]).timestamp() == pytest.approx(
        refused.value.paused_until, abs=1)
