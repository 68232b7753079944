"""Office 365 through Microsoft Graph (calendar and contacts): msal client credentials, delta, $batch."""
from app.providers.graph.contact_folders import ContactScope
from app.providers.graph.mailbox import AUTHORITY_URL, GRAPH_URL, GraphMailbox, GraphSettings, build_graph_mailbox

__all__ = ["AUTHORITY_URL", "GRAPH_URL", "ContactScope", "GraphMailbox", "GraphSettings", "build_graph_mailbox"]
