"""IMAP mailboxes as a source of inbound email (imap-tools, one thread per mailbox)."""

from intake.imap.config import Checkpoint, Checkpoints, MailboxConfig, MemoryCheckpoints
from intake.imap.reader import ImapReader

__all__ = ["Checkpoint", "Checkpoints", "ImapReader", "MailboxConfig", "MemoryCheckpoints"]
