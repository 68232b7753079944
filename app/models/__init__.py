"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""
from app.models.api_token import ApiToken
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.mailbox import Mailbox, ServerProfile
from app.models.org import Org, SalesforceConnection
from app.models.user import User

__all__ = ["ApiToken", "AuditEvent", "Base", "Mailbox", "Org", "SalesforceConnection", "ServerProfile", "User"]
