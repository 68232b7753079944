"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""
from app.models.api_token import ApiToken
from app.models.audit import AuditEvent
from app.models.autoresolved import AutoresolvedRecord
from app.models.base import Base
from app.models.dav_push_subscription import DavPushSubscription
from app.models.google_watch import GoogleWatch
from app.models.graph_subscription import GraphSubscription
from app.models.mailbox import Mailbox, ServerProfile
from app.models.mapping_table import MappingTableRecord
from app.models.org import Org, SalesforceConnection
from app.models.org_feed import MailboxChange, OrgFeedState, OrgStreamState
from app.models.saved_email import SavedEmail, SavedEmailSaver
from app.models.sidebar_requests import BlocklistEntry, ComposeSave, MeetingSave, ThreadAutosave
from app.models.sync_session import SyncSessionRecord
from app.models.sync_state import IdMapRow, SyncCursor
from app.models.user import User

__all__ = [
    "ApiToken", "AuditEvent", "AutoresolvedRecord", "Base", "BlocklistEntry", "ComposeSave", "DavPushSubscription", "GoogleWatch", "GraphSubscription", "MeetingSave", "ThreadAutosave", "IdMapRow", "Mailbox", "MailboxChange", "MappingTableRecord", "Org", "OrgFeedState", "OrgStreamState", "SalesforceConnection",
    "SavedEmail", "SavedEmailSaver", "ServerProfile", "SyncCursor", "SyncSessionRecord", "User",
]
