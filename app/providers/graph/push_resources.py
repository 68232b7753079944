"""What one mailbox's push subscriptions watch, per folder kind, found the way its adapter finds it.

Microsoft Learn, "Change notifications for Outlook resources" lists the subscribable paths:
``/users/{id}/events``, ``/users/{id}/contactFolders/{id}/contacts`` (or all ``/users/{id}/contacts``),
``/users/{id}/mailFolders/{id}/messages`` (or all ``/users/{id}/messages``); "todoTask resource type"
and "Change notifications for Microsoft To Do" subscribe per list: ``/users/{id}/todo/lists/{id}/tasks``.
The folder ids come from the adapters' own lookups (contact scope, default To Do list, the Salesforce
mail folder, created when missing), so push watches exactly what the session reads. Mail is only
watched in the Salesforce folder and only for ``created,updated`` (saving is one-way: a deletion
there changes nothing in Salesforce; the category and Sent Items/Inbox rules stay on the schedule,
since a whole-mailbox message subscription would wake a session for every mail received).
Nothing is stored here; a refusal surfaces as the core's PermissionDenied / FolderUnavailable.
"""
from __future__ import annotations

from urllib.parse import quote

from app.providers.graph.contact_folders import ContactScope, resolve_folders
from app.providers.graph.http import GraphHttp
from app.providers.graph.mail_setup import ensure_folder
from app.providers.graph.subscriptions import CHANGE_TYPES, OUTLOOK_MAX, RESOURCES, TODO_MAX, PushTarget, push_target
from app.providers.graph.todo import GraphTasks
from app.sync.items import FolderKind

MAIL_CHANGES = "created,updated"


def push_targets(http: GraphHttp, user: str, kind: FolderKind, *, contacts: ContactScope = ContactScope(),
                 mail_folder: str = "Salesforce") -> list[PushTarget]:
    """The subscriptions ``kind`` needs for ``user`` (one per contact folder in scope)."""
    user_path = f"/users/{quote(user, safe='@')}"
    if kind is FolderKind.CONTACTS:
        return [PushTarget(kind, path.lstrip("/") + "/contacts", OUTLOOK_MAX)
                for path in resolve_folders(http, user_path, contacts).paths]
    if kind is FolderKind.TASKS:
        return [PushTarget(kind, GraphTasks(http, user).tasks.lstrip("/"), TODO_MAX)]
    if kind is FolderKind.MAIL:
        folder = push_target(kind, user, ensure_folder(http, user_path, mail_folder))
        return [PushTarget(kind, folder.resource, folder.lifetime, MAIL_CHANGES)]
    return [push_target(kind, user)]


def stored_target(kind: FolderKind, resource: str) -> PushTarget:
    """A subscription already made, renewed or recreated as it was (same resource and change types)."""
    return PushTarget(kind, resource, RESOURCES[kind][1], MAIL_CHANGES if kind is FolderKind.MAIL else CHANGE_TYPES)
