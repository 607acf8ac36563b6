"""Real servers the suite starts on loopback (SMTP via aiosmtpd; IMAP via Dovecot)."""
