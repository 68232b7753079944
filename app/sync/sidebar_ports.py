"""The sidebar's port to the CRM: what the user-initiated work asks of Salesforce, and nothing more.

The sidebar services (related search, save now, create with a duplicate check, search,
describe) receive this port, never a client; the Salesforce adapter implementing it lives in
``app/providers/salesforce/sidebar`` and ``tests/fakes`` holds an in-memory one. Like
``CrmPort`` it raises only ``app.sync.errors`` exceptions. Record rows come back as
``CrmRecord``s whose ``fields`` hold the selected fields (a parent as a mapping: ``Account`` →
``{"Name": …}``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.sync.ports import ActivityRelationSpec, CrmRecord

RELATED_TYPES = ("Contact", "Lead", "Account", "Opportunity", "Case", "User")
CREATABLE_TYPES = ("Contact", "Lead", "Account", "Opportunity", "Case")
WHAT_TYPES = ("Account", "Opportunity", "Case")
KEY_PREFIXES = {"003": "Contact", "00Q": "Lead", "001": "Account", "006": "Opportunity", "500": "Case",
                "005": "User"}


def type_of(record_id: str) -> str | None:
    """The standard object a record id belongs to, from its key prefix (None when unknown)."""
    return KEY_PREFIXES.get((record_id or "")[:3])


@dataclass(frozen=True)
class RelatedTerms:
    """What the Initial Search looks for: people by address (or the signer's name), active Users
    among the participants, accounts by website domain or company name, cases by number."""

    emails: tuple[str, ...] = ()
    person_name: str = ""
    user_emails: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    company: str = ""
    case_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkCheck:
    """The chosen Name records found, by 15-character id: their type and lower-cased address;
    whether the chosen Related To exists; the record already saved under the sync key (if any)."""

    who_types: Mapping[str, str] = field(default_factory=dict)
    who_emails: Mapping[str, str] = field(default_factory=dict)
    what_found: bool = False
    existing_id: str | None = None


@dataclass(frozen=True)
class FileUpload:
    """An attachment to store as a Salesforce File shared with the saved record."""

    filename: str
    content_base64: str


@dataclass(frozen=True)
class ActivitySave:
    """One saved email: the Task/EmailMessage fields (with ``Syncline_Key__c``), its relation rows
    (``parent_id`` is left empty: the record's id is known only after the upsert) and its files."""

    object_type: str
    sync_key: str
    fields: Mapping[str, Any]
    relations: tuple[ActivityRelationSpec, ...] = ()
    files: tuple[FileUpload, ...] = ()


@dataclass(frozen=True)
class SavedActivity:
    record_id: str
    created: bool


class SidebarCrmPort(Protocol):
    """One Salesforce org as the signed-in user sees it (their sharing rules apply)."""

    def record_url(self, record_id: str) -> str:
        """A link that opens the record in Salesforce."""

    def describe(self, object_type: str) -> Mapping[str, Any] | None:
        """The object's describe in the core's format; None when the org has no such object."""

    def related_records(self, terms: RelatedTerms) -> dict[str, list[CrmRecord]]:
        """Contacts, unconverted Leads, active Users, Accounts and Cases matching ``terms``, by type."""

    def account_activity(self, account_ids: Sequence[str]) -> dict[str, list[CrmRecord]]:
        """Opportunities and open Cases of these Accounts, by type."""

    def search_text(self, text: str, object_types: Sequence[str], limit: int) -> list[CrmRecord]:
        """Full-text search of the user's words, taken literally (never as search operators)."""

    def find_duplicates(self, object_type: str, values: Mapping[str, Any]) -> list[CrmRecord]:
        """Records that look like the one about to be created (email, name or website)."""

    def create_record(self, object_type: str, values: Mapping[str, Any]) -> str:
        """Insert one record; returns its id."""

    def check_links(self, object_type: str, sync_key: str, who_ids: Sequence[str],
                    what_id: str | None) -> LinkCheck:
        """Look up the chosen Name/Related To records and any record already saved under the key."""

    def save_activity(self, save: ActivitySave) -> SavedActivity:
        """Upsert the activity by its sync key with its relations and files, all or none."""
