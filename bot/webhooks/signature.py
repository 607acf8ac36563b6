"""The signature of a delivery, Stripe-style: ``t=<unix seconds>,v1=<hex>`` where the hex is the
HMAC-SHA256, keyed by the endpoint's secret, of ``"<t>.<body>"``. Signing the time with the
body lets a receiver refuse a replay older than a few minutes; each retry is signed afresh.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Guichet-Signature"
TOLERANCE = 300
"""Seconds a receiver should accept between the signature's time and its own clock."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE) -> bool:
    """Whether `header` signs `body` with `secret`, at most `tolerance` seconds from `now`.
    What a receiver runs (README); constant-time, and any malformed header is simply False."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp = fields.get("t", "")
    if not stamp.isdigit() or abs(now - int(stamp)) > tolerance:
        return False
    expected = sign(secret, int(stamp), body).partition(",v1=")[2]
    return hmac.compare_digest(expected, fields.get("v1", ""))
