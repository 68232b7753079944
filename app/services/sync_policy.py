"""Turn org and personal settings into the core's SyncPolicy and mapping tables."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session, object_session

from app.models import User
from app.recurrence import RruleExpander
from app.services import auto_save, blocklists
from app.services.link_rules import ladder_rules
from app.services.mappings import effective
from app.services.settings import org_settings, user_settings
from app.sync.auto_save import MeetingAutoSave
from app.sync.blocklist import AddressBlocklist
from app.sync.items import FolderKind
from app.sync.link_ladder import LadderRules
from app.sync.mapping import BoundMapping, MappingTable, bind_mapping
from app.sync.policy import CancellationPolicy, ConflictPolicy, SyncOption, SyncPolicy, SyncWindow

_KIND_SETTINGS = {FolderKind.CALENDAR: "sync_calendar", FolderKind.TASKS: "sync_tasks",
                  FolderKind.CONTACTS: "sync_contacts"}
CALENDAR_TABLES = {"Event": "calendar_as_event", "Task": "calendar_as_task"}


def policy_for(user: User) -> SyncPolicy:
    org, mine = org_settings(user.org), user_settings(user)
    overrides_allowed = org["allow_user_overrides"]

    meetings = _meeting_rule(user, org, mine)

    def option(kind: FolderKind) -> SyncOption:
        name = _KIND_SETTINGS[kind]
        chosen = SyncOption(mine.get(name) if overrides_allowed and mine.get(name) else org[name])
        if kind is FolderKind.CALENDAR and chosen is SyncOption.OFF and meetings.mode != "off":
            return SyncOption.TO_SALESFORCE     # calendar sync off, meetings auto-saved: one way, filtered
        return chosen

    scope, book = contact_scope(user)
    return SyncPolicy(
        contact_category=org["salesforce_category"] if scope in ("category", "salesforce") else None,
        contact_book=book if scope == "salesforce" else None,
        conflict=ConflictPolicy(org["conflict_policy"]),
        cancellation=CancellationPolicy.DELETE if org["cancelled_meeting_policy"] == "delete"
        else CancellationPolicy.MARK,
        window=SyncWindow(days_back=org["calendar_days_back"], days_ahead=org["calendar_days_ahead"]),
        options={kind: option(kind) for kind in _KIND_SETTINGS},
        # One Composite call carries 5 Collections of 200: hand the Salesforce port 1,000 at a time.
        crm_batch_size=1000,
        series_expander=RruleExpander(),
        ladder=_ladder(user, org),
        meetings=meetings,
    )


def _meeting_rule(user: User, org: Mapping, mine: Mapping) -> MeetingAutoSave:
    """The user's "save all new meetings", with their blocklist (empty outside a database session)."""
    if auto_save.effective(org, mine, "save_all_new_meetings") == "off":
        return MeetingAutoSave()
    session = object_session(user)
    blocked = blocklists.for_user(session, user) if session is not None else AddressBlocklist()
    return auto_save.meeting_rule(user, org, mine, blocked)


def _ladder(user: User, org: Mapping) -> LadderRules | None:
    """The org's linking settings (None outside a database session: the defaults)."""
    session = object_session(user)
    return ladder_rules(session, user.org_id, org) if session is not None else None


def contact_scope(user: User) -> tuple[str, str | None]:
    """(scope, address book) for this user's contacts: the user's choice where the admin allows
    overrides, else the org's; the address book (scopes address_book and salesforce) defaults to
    the one named like salesforce_folder."""
    org, mine = org_settings(user.org), user_settings(user)
    overrides = org["allow_user_overrides"]
    scope = (mine["contacts_scope"] if overrides and mine["contacts_scope"] else org["contacts_scope"])
    book = (mine["contacts_address_book"] if overrides and mine["contacts_address_book"]
            else org["contacts_address_book"]) or org["salesforce_folder"]
    return scope, book if scope in ("address_book", "salesforce") else None


def active_table_names(user: User) -> list[str]:
    """One table per mirrored kind; calendar items go to Event or Task as the org chose."""
    calendar = CALENDAR_TABLES[org_settings(user.org)["calendar_sync_as"]]
    return [calendar, "task_as_task", "contact_as_contact"]


def load_table(session: Session, user: User, name: str) -> MappingTable:
    """The user's override where the admin allows it, else the org's table, else the default."""
    override_owner = user.id if org_settings(user.org)["allow_user_overrides"] else None
    return effective(session, user.org_id, name, override_owner)[0]


def bound_mappings(session: Session, user: User,
                   describe: Callable[[str], Mapping | None]) -> list[BoundMapping]:
    tables = [load_table(session, user, name) for name in active_table_names(user)]
    return [bind_mapping(t, describe(t.object_type)) for t in tables]
