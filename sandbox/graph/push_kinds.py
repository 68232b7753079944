"""Change notifications for the fake's contacts, To Do tasks and messages (events notify in store.py).

Each helper names every subscribable resource that holds the changed item (Microsoft Learn,
"Change notifications for Outlook resources": a contact is in ``/users/{id}/contacts`` and in its
``contactFolders/{id}/contacts``; a message in ``/users/{id}/messages`` and its
``mailFolders/{id}/messages``, a well-known folder also by name; a task in
``todo/lists/{id}/tasks``), so every subscription that watches it is notified, and no other.
A message moved between folders is ``deleted`` for the old folder and ``created`` in the new one.
"""
from __future__ import annotations

from typing import Any

from sandbox.graph.push import PushBook


def contact_changed(push: PushBook, user: str, contact: dict[str, Any], change_type: str) -> None:
    push.changed(user, ("contacts", f"contactFolders/{contact['parentFolderId']}/contacts"), contact["id"],
                 change_type, contact.get("@odata.etag", ""))


def task_changed(push: PushBook, user: str, list_id: str, task: dict[str, Any] | str, change_type: str) -> None:
    task_id, etag = (task, "") if isinstance(task, str) else (task["id"], task.get("@odata.etag", ""))
    push.changed(user, f"todo/lists/{list_id}/tasks", task_id, change_type, etag)


def message_changed(push: PushBook, user: str, well_known: dict[str, str], message: dict[str, Any],
                    change_type: str) -> None:
    """``well_known`` maps names like ``inbox`` to folder ids: a subscription may name a folder either way."""
    folder = message["parentFolderId"]
    names = (folder, *(name for name, known in well_known.items() if known == folder))
    scopes = ("messages", *(f"mailFolders/{name}/messages" for name in names))
    push.changed(user, scopes, message["id"], change_type, message.get("@odata.etag", ""))
