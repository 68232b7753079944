"""The fake's watch endpoints answer as Google documents them: events.watch needs an https address
and a unique id and answers a Channel; channels.stop of an unknown channel is 404; users.watch needs
an existing topic and answers {historyId, expiration}."""
from __future__ import annotations

import uuid

import requests

from tests.sandbox_google.conftest import assertion, token_answer

SCOPE_GMAIL = "https://www.googleapis.com/auth/gmail.readonly"


def _watch(fake, http, user, **body):
    return http.post(f"{fake.base_url}/calendar/v3/calendars/primary/events/watch",
                     json={"id": str(uuid.uuid4()), "type": "web_hook", "address": "https://hook.test/n", **body})


def test_events_watch_answers_a_channel_and_stop_forgets_it(fake, http, user):
    answer = _watch(fake, http, user, token="secret", params={"ttl": "3600"})
    assert answer.status_code == 200, answer.text
    channel = answer.json()
    assert channel["kind"] == "api#channel" and channel["token"] == "secret" and channel["resourceId"]
    assert int(channel["expiration"]) > 0
    again = _watch(fake, http, user, id=channel["id"])
    assert again.status_code == 400 and again.json()["error"]["errors"][0]["reason"] == "channelIdNotUnique"
    stop = {"id": channel["id"], "resourceId": channel["resourceId"]}
    assert http.post(f"{fake.base_url}/calendar/v3/channels/stop", json=stop).status_code == 204
    gone = http.post(f"{fake.base_url}/calendar/v3/channels/stop", json=stop)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == 404


def test_events_watch_refuses_a_plain_http_address(fake, http, user):
    answer = _watch(fake, http, user, address="http://hook.test/n")
    assert answer.status_code == 400 and "HTTPS" in answer.json()["error"]["message"]


def test_users_watch_needs_an_existing_topic(fake, key, user):
    token = token_answer(fake, assertion(key, sub=user, scope=SCOPE_GMAIL)).json()["access_token"]
    url, auth = f"{fake.base_url}/gmail/v1/users/me/watch", {"Authorization": "Bearer " + token}
    missing = requests.post(url, json={"topicName": "projects/p/topics/none"}, headers=auth, verify=fake.ca_path)
    assert missing.status_code == 404, missing.text
    fake.store.push.add_topic("projects/p/topics/mail", "https://hook.test/g", "push@p.iam.gserviceaccount.com")
    made = requests.post(url, json={"topicName": "projects/p/topics/mail", "labelIds": ["INBOX"]}, headers=auth,
                         verify=fake.ca_path)
    assert made.status_code == 200 and set(made.json()) == {"historyId", "expiration"}, made.text
    assert fake.store.push.gmail_watches[user]["labelIds"] == ["INBOX"]
