"""Fakes of intake's ports, shipped with the product (for tests, demos and dry runs)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from intake.errors import DeliveryRefused
from intake.mail.compose import compose
from intake.message import OutboundMessage


class RecordingSender:
    """Accepts every message and keeps it; `refuse_next` makes the next sends fail."""

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []
        self.refuse_next = 0
        self.permanent = False
        self.arrived = asyncio.Event()

    async def send(self, message: OutboundMessage) -> bytes:
        if self.refuse_next > 0:
            self.refuse_next -= 1
            raise DeliveryRefused("refused by the fake", permanent=self.permanent)
        self.sent.append(message)
        self.arrived.set()
        return compose(
            message, sender="fake@guichet.example", sender_name="", now=datetime.now(UTC)
        )
