"""Office 365 through Microsoft Graph: msal client credentials, delta, $batch."""
from app.providers.graph.contact_folders import ContactScope
from app.providers.graph.mail import GraphMailOptions
from app.providers.graph.mailbox import AUTHORITY_URL, GRAPH_URL, GraphMailbox, GraphSettings, build_graph_mailbox

__all__ = ["AUTHORITY_URL", "GRAPH_URL", "ContactScope", "GraphMailOptions", "GraphMailbox", "GraphSettings", "build_graph_mailbox"]
