"""Which Outlook contact folders a mailbox's contact scope reads, found (or created) once per session.

Scope ``salesforce``: the folder named like the org's Salesforce folder (created under the default
Contacts folder when missing, ``POST /users/{id}/contactFolders``) plus the default folder, whose
contacts the core keeps only when they carry the Salesforce category. Scope ``address_book``: that
named folder alone. Otherwise: the default folder alone. The default folder is addressed by id
(``contactFolders/{id}``, the documented delta path), learnt from a child folder's
``parentFolderId``; a mailbox with no contact folder at all falls back to ``/users/{id}/contacts``.
See https://learn.microsoft.com/en-us/graph/api/user-list-contactfolders and user-post-contactfolders.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from app.providers.graph.http import GraphHttp

FOLDER_SELECT = "id,displayName,parentFolderId"


@dataclass(frozen=True)
class ContactScope:
    """``folder``: the contact folder every contact of which syncs (by display name; created when
    missing); ``with_default``: the default folder's contacts are read too (the core filters them)."""

    folder: str | None = None
    with_default: bool = True


@dataclass(frozen=True)
class ScopeFolders:
    """Folder paths relative to the Graph base (each serves ``/contacts`` and ``/contacts/delta``)."""

    paths: tuple[str, ...]
    create_in: str                  # where contacts created from Salesforce land
    scope_folder_id: str | None     # contacts in this folder are in scope whatever their categories


def resolve_folders(http: GraphHttp, user_path: str, scope: ContactScope) -> ScopeFolders:
    """The scope's folders: at most one list call and one create."""
    if scope.folder is None:
        some = (http.get(user_path + "/contactFolders?" + urlencode({"$select": FOLDER_SELECT, "$top": "1"}),
                         "list contact folders") or {}).get("value") or []
        default = _default_path(user_path, some[0] if some else None)
        return ScopeFolders((default,), default, None)
    named = _named_folder(http, user_path, scope.folder)
    path = user_path + "/contactFolders/" + quote(str(named["id"]), safe="")
    paths = (path, _default_path(user_path, named)) if scope.with_default else (path,)
    return ScopeFolders(paths, path, str(named["id"]))


def _named_folder(http: GraphHttp, user_path: str, name: str) -> dict[str, Any]:
    query = urlencode({"$filter": f"displayName eq '{name.replace(chr(39), chr(39) * 2)}'", "$select": FOLDER_SELECT})
    found = (http.get(user_path + "/contactFolders?" + query, "find the contact folder") or {}).get("value") or []
    if found:
        return dict(found[0])
    return dict(http.send("POST", user_path + "/contactFolders", {"displayName": name}, "create the contact folder")
                or {})


def _default_path(user_path: str, child: dict[str, Any] | None) -> str:
    parent = (child or {}).get("parentFolderId")
    return user_path + "/contactFolders/" + quote(str(parent), safe="") if parent else user_path
