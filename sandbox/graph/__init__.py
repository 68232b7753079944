"""A stateful loopback Microsoft Graph v1.0 fake (calendar slice), served over real HTTPS.

Public API::

    from sandbox.graph import GraphFake
    fake = GraphFake().start()                   # HTTPS in a thread; fake.base_url, fake.ca_path
    fake.authority_url                           # what msal's authority host is set to
    fake.graph_url                               # fake.base_url + "/v1.0"
    fake.store.register_client("cid", "secret")  # an app registration (client credentials)
    fake.store.add_user("ann@contoso.test")      # a licensed mailbox, addressed by UPN
    fake.store.create_event(user, {...})         # what a user does in Outlook
    fake.store.throttle(5, retry_after=1)        # next 5 Graph requests answer 429 + Retry-After
    fake.store.expire_delta_tokens()             # every delta/skip token answers 410 syncStateNotFound
    fake.store.outbox                            # every meeting request/update/cancellation "sent"
    fake.store.push.ca_file = webhook_ca         # /subscriptions validate and notify this HTTPS webhook
    fake.store.push.lifecycle(sub_id, "missed")  # a lifecycle notification (or reauthorizationRequired…)
    fake.store.push.drain()                      # wait until every notification was POSTed
    fake.stop()

Never imported by app/; reusable by tests and, later, ``syncline up``.
"""
from sandbox.graph.fake import GraphFake
from sandbox.graph.store import GraphStore, OutboxMessage

__all__ = ["GraphFake", "GraphStore", "OutboxMessage"]
