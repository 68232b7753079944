"""Which emails the engine saves, and with which links: pure rules passed in as data.

A message is saved when the user tagged it (Salesforce category or folder), when it is a
Compose-mode "save when sent" (its ``X-Syncline-Save`` marker or Message-ID matches one of
the user's pending compose saves, whose chosen Who/What replace auto-linking), or when it
belongs to a thread the user set to "save all emails in thread", or when the user's "save all
new mail" setting covers it (``auto_save``). Those last two are automatic:
a message whose only external participants are blocklisted is skipped (``blocked_autosaves``),
while the user's explicit choices (category, folder, Compose) are saved, just not linked to them.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.sync.auto_save import AutoSaveRule, auto_verdict, external_addresses
from app.sync.blocklist import AddressBlocklist
from app.sync.items import EmailMessage
from app.sync.link_ladder import LadderRules

SAVE_AS_TYPES = ("Task", "EmailMessage")


def normalized_message_id(value: str) -> str:
    """Message-IDs compare without angle brackets and case (as ``email_key`` does)."""
    return value.strip().strip("<>").lower()


@dataclass(frozen=True)
class ComposeRule:
    """One pending Compose-mode save: found by marker and/or Message-ID, linked as the user chose."""

    rule_id: str
    marker: str = ""
    message_id: str = ""
    who_ids: tuple[str, ...] = ()
    what_id: str | None = None

    def matches(self, message: EmailMessage) -> bool:
        by_marker = bool(self.marker) and message.save_marker.strip() == self.marker
        by_id = bool(self.message_id) and (normalized_message_id(self.message_id)
                                           == normalized_message_id(message.message_id))
        return by_marker or by_id


@dataclass(frozen=True)
class RefusedRule:
    """A stored rule the engine cannot act on (an identifier a mail server would choke on)."""

    ref: str
    reason: str


@dataclass(frozen=True)
class SaveRules:
    """One user's saving rules for a session; ``save_as`` is the org's Task/EmailMessage choice,
    ``blocked`` the user's and org's blocklist (kept out of every participant look-up);
    ``refused`` the stored rules left out, each reported as a per-item error."""

    save_as: str = "EmailMessage"
    category: str = "Salesforce"
    folder: str = "Salesforce"
    compose: tuple[ComposeRule, ...] = ()
    threads: frozenset[str] = frozenset()
    blocked: AddressBlocklist = AddressBlocklist()
    refused: tuple[RefusedRule, ...] = ()
    ladder: LadderRules = LadderRules()
    auto: AutoSaveRule = AutoSaveRule()

    def __post_init__(self) -> None:
        if self.save_as not in SAVE_AS_TYPES:
            raise ValueError(f"save_as must be one of {SAVE_AS_TYPES}, not {self.save_as!r}")
        object.__setattr__(self, "threads", frozenset(normalized_message_id(t) for t in self.threads if t))


@dataclass(frozen=True)
class SaveReason:
    """Why a message is saved; ``compose`` carries the user's chosen links (no auto-linking)."""

    reason: str
    compose: ComposeRule | None = None
    automatic: bool = False


def save_reason(message: EmailMessage, rules: SaveRules) -> SaveReason | None:
    """The first rule that wants this message saved, compose first (its links win), else None."""
    rule = next((r for r in rules.compose if r.matches(message)), None)
    if rule is not None:
        return SaveReason("saved from Compose mode", rule)
    if rules.category in message.categories or (rules.folder and message.folder == rules.folder):
        return SaveReason("marked for Salesforce")
    thread = normalized_message_id(message.conversation_id or message.message_id)
    if thread and thread in rules.threads:
        return SaveReason("thread set to save all emails", automatic=True)
    verdict = auto_verdict(message, rules.auto)
    if verdict is not None and verdict[0]:
        return SaveReason(verdict[1], automatic=True)
    return None


def wanted(messages: Sequence[object], rules: SaveRules) -> list[tuple[EmailMessage, SaveReason]]:
    """The messages to save with their reasons, in listing order."""
    out = []
    for message in messages:
        if isinstance(message, EmailMessage):
            reason = save_reason(message, rules)
            if reason is not None:
                out.append((message, reason))
    return out


BLOCKED_AUTOSAVE = "automatic save skipped: every external participant is blocklisted"


def only_blocked_externals(message: EmailMessage, blocked: AddressBlocklist, owner_email: str,
                           own_domains: frozenset[str] = frozenset()) -> bool:
    """Every participant outside the owner's own address and domain is blocked (and there is one)."""
    externals = external_addresses(message, owner_email, own_domains)
    return bool(externals) and all(blocked.blocks(a) for a in externals)


def automatic_skips(messages: Sequence[object], rules: SaveRules) -> list[EmailMessage]:
    """Messages auto-save covers but skips because no one outside the org takes part (``NO_EXTERNAL``)."""
    return [m for m in messages if isinstance(m, EmailMessage) and save_reason(m, rules) is None
            and auto_verdict(m, rules.auto) is not None]


def blocked_autosaves(chosen: Sequence[tuple[EmailMessage, SaveReason]], rules: SaveRules, owner_email: str
                      ) -> tuple[list[tuple[EmailMessage, SaveReason]], list[EmailMessage]]:
    """(what to save, the automatic saves skipped because only blocklisted people are outside)."""
    keep, skipped = [], []
    for message, reason in chosen:
        if reason.automatic and rules.blocked and only_blocked_externals(message, rules.blocked, owner_email,
                                                                         rules.auto.own_domains):
            skipped.append(message)
        else:
            keep.append((message, reason))
    return keep, skipped
