"""Push for every folder kind an Office 365 mailbox syncs, against the Graph fake and a real HTTPS
API: what is subscribed (the adapters' folders: contact folders in scope, the default To Do list,
the Salesforce mail folder), and per kind a change in Outlook → one notification → one queued
session → the record in Salesforce. A kind the app may not read (403) is skipped with a reason,
a kind switched off loses its subscription."""
from __future__ import annotations

import pytest
from rq import Queue
from sqlalchemy import select

from app.models import GraphSubscription, Org, User
from app.services import graph_subscriptions
from app.state import queues
from tests.graph_webhook import public_api


@pytest.fixture
def api(world):
    with public_api(world.rt.config, world.fake) as rt:
        yield rt


def _subscriptions(rt, mailbox_id) -> dict[str, list[str]]:
    """kind → the Graph subscription ids of the mailbox."""
    found: dict[str, list[str]] = {}
    with rt.db.session_scope() as s:
        for row in s.scalars(select(GraphSubscription).where(GraphSubscription.mailbox_id == mailbox_id)):
            found.setdefault(row.kind, []).append(row.subscription_id)
    return found


def _salesforce_folders(world) -> tuple[str, str, str]:
    """(Salesforce contact folder id, default contact folder id, Salesforce mail folder id)."""
    book = world.fake.store.contacts.book(world.address)
    contact_folder = next(f["id"] for f in book.folders.values() if f["displayName"] == "Salesforce")
    mail = world.fake.store.mail.user(world.address)
    mail_folder = next(f["id"] for f in mail.folders.values() if f["displayName"] == "Salesforce")
    return contact_folder, book.default_id, mail_folder


def test_every_synced_kind_is_subscribed_where_its_adapter_reads(world, api):
    counts = graph_subscriptions.maintain(api)
    assert (counts.failed, counts.skipped) == (0, [])
    subs = _subscriptions(api, world.mailbox_id)
    push, user = world.fake.store.push, world.address
    contact_folder, default_folder, mail_folder = _salesforce_folders(world)
    todo_list = world.fake.store.todo.default_list(user).id
    resources = {kind: sorted((push.get(i).resource, push.get(i).change_types) for i in ids)
                 for kind, ids in subs.items()}
    everything = ("created", "updated", "deleted")
    assert resources == {
        "calendar": [(f"users/{user}/events", everything)],
        "contacts": sorted([(f"users/{user}/contactFolders/{contact_folder}/contacts", everything),
                            (f"users/{user}/contactFolders/{default_folder}/contacts", everything)]),
        "tasks": [(f"users/{user}/todo/lists/{todo_list}/tasks", everything)],
        "mail": [(f"users/{user}/mailFolders/{mail_folder}/messages", ("created", "updated"))]}
    assert counts.created == 5 and graph_subscriptions.maintain(api).created == 0


def _outlook_change(world, kind: str) -> str:
    """Make one change of ``kind`` in the fake as its user would; returns the Salesforce name it gets."""
    store, user = world.fake.store, world.address
    contact_folder, _, mail_folder = _salesforce_folders(world)
    if kind == "calendar":
        world.outlook_meeting("Pushed meeting")
        return "Pushed meeting"
    if kind == "contacts":
        store.contacts.create_contact(user, {"givenName": "Pia", "surname": "Pushed",
                                             "emailAddresses": [{"address": "pia@fabrikam.test"}]}, contact_folder)
        return "Pushed"
    if kind == "tasks":
        store.todo.create(user, store.todo.default_list(user).id, {"title": "Pushed task"})
        return "Pushed task"
    account = world.emu.insert(world.sf_org, "Account", {"Name": "Customer Inc"})
    world.emu.insert(world.sf_org, "Contact", {"LastName": "Client", "Email": "client@customer.test",
                                               "AccountId": account})
    store.mail.deliver(user, mail_folder, subject="Pushed contract", sender="client@customer.test", to=(user,),
                       body="Signed.", internet_message_id="<pushed@customer.test>")
    return "Pushed contract"


SALESFORCE = {"calendar": ("Event", "Subject"), "contacts": ("Contact", "LastName"), "tasks": ("Task", "Subject"),
              "mail": ("EmailMessage", "Subject")}


@pytest.mark.parametrize("kind", ["calendar", "contacts", "tasks", "mail"])
def test_a_change_of_each_kind_is_notified_once_and_its_session_reaches_salesforce(world, api, kind):
    graph_subscriptions.maintain(api)
    push = world.fake.store.push
    push.drain()
    seen, jobs = len(push.deliveries), Queue(queues.SYNC, connection=api.redis.client)
    assert jobs.job_ids == []

    name = _outlook_change(world, kind)
    push.drain()
    delivered = push.deliveries[seen:]
    assert [d.status for d in delivered] == [202], delivered
    [note] = delivered[0].body["value"]
    assert note["subscriptionId"] in _subscriptions(api, world.mailbox_id)[kind] and note["changeType"] == "created"
    [job_id] = jobs.job_ids                             # one session, for this mailbox
    assert jobs.fetch_job(job_id).args[0] == world.mailbox_id

    assert world.sync().status == "succeeded"
    sobject, field = SALESFORCE[kind]
    assert [r[field] for r in world.emu.records(world.sf_org, sobject) if r[field] == name] == [name]


def test_a_kind_graph_refuses_is_skipped_with_its_reason_and_the_rest_subscribed(world, api):
    world.fake.store.todo.denied = True
    try:
        counts = graph_subscriptions.maintain(api)
    finally:
        world.fake.store.todo.denied = False
    assert counts.failed == 0 and counts.created == 4
    [reason] = counts.skipped
    assert reason.startswith(f"mailbox {world.mailbox_id} tasks: ") and "Tasks.ReadWrite.All" in reason
    assert sorted(_subscriptions(api, world.mailbox_id)) == ["calendar", "contacts", "mail"]
    later = graph_subscriptions.maintain(api)           # permission granted meanwhile: the next pass adds it
    assert (later.created, later.skipped) == (1, []) and "tasks" in _subscriptions(api, world.mailbox_id)


def test_a_kind_switched_off_loses_its_subscriptions(world, api):
    graph_subscriptions.maintain(api)
    dropped = _subscriptions(api, world.mailbox_id)["contacts"]
    with api.db.session_scope() as s:
        org = s.get(Org, s.get(User, world.user.id).org_id)
        org.settings = {**(org.settings or {}), "sync_contacts": "off"}
    assert graph_subscriptions.maintain(api).deleted == len(dropped) == 2
    assert "contacts" not in _subscriptions(api, world.mailbox_id)
    assert all(world.fake.store.push.get(i) is None for i in dropped)


def test_a_removed_folder_subscription_is_recreated_on_the_same_folder(world, api):
    graph_subscriptions.maintain(api)
    push = world.fake.store.push
    [old] = _subscriptions(api, world.mailbox_id)["mail"]
    resource = push.get(old).resource
    with api.db.session_scope() as s:
        pk = s.scalar(select(GraphSubscription.id).where(GraphSubscription.subscription_id == old))
    push.delete(old)                                     # Graph removed it (subscriptionRemoved)
    assert graph_subscriptions.refresh(api, pk, recreate=True) == "recreated"
    [new] = _subscriptions(api, world.mailbox_id)["mail"]
    assert new != old and (push.get(new).resource, push.get(new).change_types) == (resource, ("created", "updated"))
