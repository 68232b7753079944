"""The SQL side of engine email saves: the user's saving rules in, the "already saved" rows out.

Rules (pending Compose-mode saves, "save all emails in thread") are read once per session and
handed to the pure core as data; what the core saved or found is written back as SavedEmail /
SavedEmailSaver rows (idempotent), so the sidebar shows "already saved" for engine saves too.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import ComposeSave, SavedEmail, SavedEmailSaver, User
from app.models.base import utcnow
from app.models.sidebar_requests import ThreadAutosave
from app.providers.google import GmailOptions
from app.providers.graph import GraphMailOptions
from app.providers.imap_dav.imap_mail import MailRules
from app.services import auto_save, blocklists
from app.services.link_rules import ladder_rules
from app.services.settings import user_settings
from app.sync.auto_save import AutoSaveRule
from app.sync.blocklist import AddressBlocklist
from app.sync.email_plan import SavedNote
from app.sync.email_rules import ComposeRule, RefusedRule, SaveRules
from app.sync.identifiers import MESSAGE_ID_MAX, THREAD_ID_MAX, identifier_problem, message_id_problem
from app.sync.link_ladder import LadderRules

MARKER_MAX = 64               # ComposeSave.marker


def load_save_rules(session: Session, user_id: int, settings: Mapping) -> SaveRules:
    """The org's save-as/category/folder settings plus this user's pending compose saves, threads and blocklist."""
    compose = session.scalars(select(ComposeSave).where(ComposeSave.user_id == user_id,
                                                        ComposeSave.status == "pending").order_by(ComposeSave.id))
    threads = list(session.scalars(select(ThreadAutosave.thread_id).where(ThreadAutosave.user_id == user_id)))
    rules = [ComposeRule(str(r.id), r.marker or "", r.message_id or "", tuple(r.who_ids or ()), r.what_id)
             for r in compose]
    bad_rules = {r.rule_id: p for r in rules if (p := _compose_problem(r))}
    bad_threads = {t: p for t in threads if (p := identifier_problem(t, THREAD_ID_MAX))}
    refused = [RefusedRule(f"compose save {rule_id}", f"skipped: {problem}; withdraw it with "
                                                      f"DELETE /api/v1/compose-saves/{rule_id}")
               for rule_id, problem in bad_rules.items()]
    refused += [RefusedRule(f"thread autosave {thread!r}", f"skipped: thread id {problem}")
                for thread, problem in bad_threads.items()]
    return SaveRules(save_as=settings["save_emails_as"], category=settings["salesforce_category"],
                     folder=settings["salesforce_folder"], compose=tuple(r for r in rules if r.rule_id not in bad_rules),
                     threads=frozenset(t for t in threads if t not in bad_threads),
                     blocked=load_blocklist(session, user_id), refused=tuple(refused),
                     ladder=_ladder(session, user_id, settings), auto=_auto_rule(session, user_id, settings))


def _auto_rule(session: Session, user_id: int, settings: Mapping) -> AutoSaveRule:
    user = session.get(User, user_id)
    return auto_save.mail_rule(user, settings, user_settings(user)) if user is not None else AutoSaveRule()


def _ladder(session: Session, user_id: int, settings: Mapping) -> LadderRules:
    user = session.get(User, user_id)
    return ladder_rules(session, user.org_id, settings) if user is not None else LadderRules()


def _compose_problem(rule: ComposeRule) -> str | None:
    """Rows stored before input was validated may hold what an IMAP search would choke on (a NUL…)."""
    if rule.marker and (problem := identifier_problem(rule.marker, MARKER_MAX)):
        return f"marker {problem}"
    if rule.message_id and (problem := message_id_problem(rule.message_id)):
        return f"message_id {problem}"
    return None


def load_blocklist(session: Session, user_id: int) -> AddressBlocklist:
    """The user's and the org admin's blocklist, as data for the engine."""
    user = session.get(User, user_id)
    if user is None:
        return AddressBlocklist()
    return blocklists.for_user(session, user)


def mail_rules(rules: SaveRules) -> MailRules:
    """What the IMAP listing must search for besides the category: compose headers, ids, threads, auto-save."""
    auto = rules.auto
    return MailRules(compose_markers=any(r.marker for r in rules.compose),
                     message_ids=tuple(sorted({r.message_id for r in rules.compose if r.message_id})),
                     thread_ids=tuple(sorted(rules.threads)), all_inbox=auto.inbound, all_sent=auto.outbound,
                     all_since=auto.since.date() if auto.since else None, backfill=auto.backfill)


def graph_mail_options(rules: SaveRules) -> GraphMailOptions:
    """What the Graph listing needs: the org's names, and Sent Items / Inbox only while rules want them."""
    wants = mail_rules(rules)
    return GraphMailOptions(category=rules.category, folder=rules.folder, compose_markers=wants.compose_markers,
                            message_ids=wants.message_ids, thread_ids=wants.thread_ids, all_inbox=wants.all_inbox,
                            all_sent=wants.all_sent, all_since=rules.auto.since, backfill=wants.backfill)


def gmail_options(rules: SaveRules) -> GmailOptions:
    """What the Gmail listing needs: the org's label (its category name), SENT / INBOX only while rules want them."""
    wants = mail_rules(rules)
    return GmailOptions(label=rules.category, compose_markers=wants.compose_markers, message_ids=wants.message_ids,
                        thread_ids=wants.thread_ids, all_inbox=wants.all_inbox, all_sent=wants.all_sent,
                        all_since=rules.auto.since, backfill=wants.backfill)


class SqlSaveLedger:
    """``SaveLedger`` over SavedEmail/SavedEmailSaver for one user; each call is one transaction."""

    def __init__(self, db, org_pk: int, user_id: int) -> None:
        self.db, self.org_pk, self.user_id = db, org_pk, user_id

    def record(self, notes: Sequence[SavedNote]) -> None:
        """Upsert one SavedEmail per Message-ID and this user's saver row; mark compose saves done."""
        if not notes:
            return
        for attempt in range(2):
            try:
                with self.db.session_scope() as s:
                    self._write(s, notes)
                return
            except IntegrityError:      # a sidebar save claimed the same Message-ID meanwhile: re-read
                if attempt:
                    raise

    def _write(self, s: Session, notes: Sequence[SavedNote]) -> None:
        ids = [n.message_id[:MESSAGE_ID_MAX] for n in notes]
        rows = {r.message_id: r for r in s.scalars(select(SavedEmail).where(
            SavedEmail.org_id == self.org_pk, SavedEmail.message_id.in_(ids)))}
        for note, message_id in zip(notes, ids):
            row = rows.get(message_id)
            if row is None:
                row = rows[message_id] = SavedEmail(org_id=self.org_pk, message_id=message_id, sync_key=note.sync_key,
                                                    manual=False, first_saved_by=self.user_id)
                s.add(row)
            if row.status != "saved" or not row.record_id:
                row.status, row.record_type, row.record_id = "saved", note.object_type, note.record_id
                row.saved_at, row.last_error = utcnow(), None
        s.flush()
        self._savers(s, [rows[m].id for m in ids])
        done = [int(n.compose_rule) for n in notes if n.compose_rule and n.compose_rule.isdigit()]
        for rule in s.scalars(select(ComposeSave).where(ComposeSave.id.in_(done))) if done else ():
            rule.status = "saved"

    def _savers(self, s: Session, saved_ids: list[int]) -> None:
        have = set(s.scalars(select(SavedEmailSaver.saved_email_id).where(
            SavedEmailSaver.user_id == self.user_id, SavedEmailSaver.saved_email_id.in_(saved_ids))))
        for saved_id in dict.fromkeys(saved_ids):
            if saved_id not in have:
                s.add(SavedEmailSaver(saved_email_id=saved_id, user_id=self.user_id, relation_done=True))
