"""A stateful loopback Google Workspace fake (Calendar v3 slice + OAuth token endpoint), over real HTTPS.

Public API::

    from sandbox.google import GoogleFake
    fake = GoogleFake().start()                      # HTTPS in a thread; fake.base_url, fake.ca_path
    fake.api_root                                    # what the product's google_api_url is set to
    fake.token_uri                                   # the OAuth token endpoint (JWT-bearer grant)
    key = fake.store.register_service_account()      # a service-account JSON key (dict), domain-wide delegated
    fake.store.add_user("ann@example.test")          # a Workspace user with a primary calendar
    fake.store.insert_event(user, {...})             # what a user does in Google Calendar; guests in the
                                                     # domain get their copy (same id and iCalUID, guests.py)
    fake.store.throttle(3, status=403)               # next 3 API calls answer 403 rateLimitExceeded (or 429)
    fake.store.throttle(2, match="POST /calendar/")  # ... only calls whose "METHOD /path" starts so
    fake.store.expire_sync_tokens()                  # every sync token answers 410 fullSyncRequired
    fake.store.outbox                                # every invitation/update/cancellation Google would mail
    fake.store.tasks.insert(user, "@default", {...})  # what a user does in Google Tasks (tasks_store.py)
    fake.stop()

Never imported by app/.
"""
from sandbox.google.fake import GoogleFake
from sandbox.google.store import GoogleStore

__all__ = ["GoogleFake", "GoogleStore"]
