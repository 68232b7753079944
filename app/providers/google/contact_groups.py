"""The user's contact groups (labels), read once per session (``contactGroups.list``), and the scope's
group found or created (``contactGroups.create``) - the Google counterpart of Graph's
contact_folders.py (https://developers.google.com/people/api/rest/v1/contactGroups).

Scope ``salesforce``: every contact is read; the ones in the group named like the Salesforce folder
are in scope whatever their labels, the others when labelled with the Salesforce category (the core
filters them, as it filters Outlook's default folder). Scope ``address_book``: only members of the
named group. Otherwise every contact, the core filtering by label when the scope is ``category``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

USER_GROUP = "USER_CONTACT_GROUP"


@dataclass(frozen=True)
class GroupScope:
    """``group``: the label every member of which syncs (created when missing); ``only``: read its
    members alone (scope ``address_book``)."""

    group: str | None = None
    only: bool = False


@dataclass
class Groups:
    """User groups by name → resource name; ``scope_group``: the scope's group's resource name."""

    by_name: dict[str, str] = field(default_factory=dict)
    scope_group: str | None = None

    @property
    def names(self) -> dict[str, str]:
        return {resource: name for name, resource in self.by_name.items()}


Run = Callable[[Any, str], Any]


def load_groups(groups_api: Any, run: Run, scope: GroupScope) -> Groups:
    """The user's groups (all pages) and the scope's one, created when missing."""
    found = Groups()
    token = None
    while True:
        page = run(groups_api.list(groupFields="name,groupType", pageSize=1000,
                                   **({"pageToken": token} if token else {})), "contactGroups.list")
        for group in page.get("contactGroups") or ():
            if group.get("groupType", USER_GROUP) == USER_GROUP and group.get("name"):
                found.by_name[str(group["name"])] = str(group["resourceName"])
        token = page.get("nextPageToken")
        if not token:
            break
    if scope.group:
        found.scope_group = ensure_group(groups_api, run, found, scope.group)
    return found


def ensure_group(groups_api: Any, run: Run, groups: Groups, name: str) -> str:
    """The resource name of the group called ``name``, created when the user has none."""
    if name not in groups.by_name:
        made = run(groups_api.create(body={"contactGroup": {"name": name}}), "contactGroups.create")
        groups.by_name[name] = str(made["resourceName"])
    return groups.by_name[name]
