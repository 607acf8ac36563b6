"""A Microsoft 365 mailbox over Microsoft Graph instead of IMAP and SMTP: read by delta query,
move what is committed, send with `sendMail` (issue 16)."""

from intake.graph.client import GraphClient, GraphError
from intake.graph.config import GRAPH_SCOPE, DeltaLinks, GraphConfig, MemoryDeltaLinks
from intake.graph.reader import GraphReader
from intake.graph.sender import GraphSender

__all__ = [
    "GRAPH_SCOPE",
    "DeltaLinks",
    "GraphClient",
    "GraphConfig",
    "GraphError",
    "GraphReader",
    "GraphSender",
    "MemoryDeltaLinks",
]
