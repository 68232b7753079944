"""A stateful loopback Microsoft Graph v1.0 fake (calendar and contacts), served over real HTTPS.

Public API::

    from sandbox.graph import GraphFake
    fake = GraphFake().start()                   # HTTPS in a thread; fake.base_url, fake.ca_path
    fake.authority_url                           # what msal's authority host is set to
    fake.graph_url                               # fake.base_url + "/v1.0"
    fake.store.register_client("cid", "secret")  # an app registration (client credentials)
    fake.store.add_user("ann@contoso.test")      # a licensed mailbox, addressed by UPN
    fake.store.create_event(user, {...})         # what a user does in Outlook; tenant attendees get a copy
    fake.store.contacts.create_contact(user, {...}, folder_id=None)   # a contact (default folder when None)
    fake.store.contacts.create_folder(user, "Salesforce")              # a contact folder under the default one
    fake.store.throttle(5, retry_after=1)        # next 5 Graph requests answer 429 + Retry-After
    fake.store.limits.latency = 0.05             # added to every Graph call (benches); 4 per mailbox at once
    fake.store.expire_delta_tokens()             # every delta/skip token answers 410 syncStateNotFound
    fake.store.lost_answers.lose(1, match="POST /v1.0/users/")   # done, but answers 504 (faults.py)
    fake.store.outbox                            # every meeting request/update/cancellation "sent"
    fake.store.mail.deliver(user, "inbox", subject=..., categories=("Salesforce",))   # mail (mail_store.py)
    fake.store.mail.move(user, message_id, folder_id); fake.store.mail.expire_delta_tokens()
    fake.store.push.ca_file = webhook_ca         # /subscriptions validate and notify this HTTPS webhook
    fake.store.push.lifecycle(sub_id, "missed")  # a lifecycle notification (or reauthorizationRequired…)
    fake.store.push.drain()                      # wait until every notification was POSTed
                                                 # (events, contacts, To Do tasks and messages notify: push_kinds.py)
    fake.stop()

Never imported by app/; used by tests, benches and ``syncline up --graph``.
"""
from sandbox.graph.fake import GraphFake
from sandbox.graph.store import GraphStore, OutboxMessage

__all__ = ["GraphFake", "GraphStore", "OutboxMessage"]
