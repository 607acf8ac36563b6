"""The Graph sender's answers (sent, refused for good, retried) and the strict `transport`
setting, against the fake Graph and the fake identity platform."""

from __future__ import annotations

import email
import email.policy

import pytest
from pydantic import ValidationError

from bot.graph_channels import graph_config, graph_tokens
from bot.settings import MailboxSettings, Settings, explain
from bot.store.db import Sessions
from bot.store.models import Ticket
from intake.errors import DeliveryRefused
from intake.graph import GraphSender
from intake.message import Channel, OutboundMessage
from tests.conftest import eventually, running_service
from tests.graph.conftest import CLIENT_ID, graph_mailbox, graph_settings
from tests.imap.test_imap_intake import count
from tests.mail import make_email
from tests.servers.graph import FakeGraph
from tests.servers.identity import FakeIdentity

NOTICE = OutboundMessage(
    channel=Channel.EMAIL,
    to=("jeanne.tremblay@msss.example",),
    subject="[CSC-000001] Reçu",
    text="Bonjour, nous avons bien reçu votre demande.",
    message_id="<ack-1@guichet.example>",
)


def _sender(identity: FakeIdentity, graph: FakeGraph, **mailbox: str) -> GraphSender:
    box = graph_mailbox(identity, graph).model_copy(update=mailbox)
    return GraphSender(
        graph_config(box),
        graph_tokens(box, "graph-send"),
        sender="csc@itq.example",
        sender_name="CSC",
    )


async def test_sendmail_sends_the_mime_and_a_revoked_token_is_replaced_once(
    identity: FakeIdentity, graph: FakeGraph
) -> None:
    sender = _sender(identity, graph)
    raw = await sender.send(NOTICE)
    assert graph.sent == [raw]
    parsed = email.message_from_bytes(raw, policy=email.policy.SMTP)
    assert parsed["Message-ID"] == "<ack-1@guichet.example>"
    identity.revoke_all()  # Graph now answers 401: one new token, then sent
    await sender.send(NOTICE)
    assert len(graph.sent) == 2
    assert len(identity.tokens_for(CLIENT_ID)) == 2


async def test_a_mailbox_the_application_may_not_use_is_refused_for_good(
    identity: FakeIdentity, graph: FakeGraph
) -> None:
    # The application access policy leaves this mailbox out: Graph answers 403.
    sender = _sender(identity, graph, username="direction@itq.example")
    with pytest.raises(DeliveryRefused) as refused:
        await sender.send(NOTICE)
    assert refused.value.permanent is True
    assert "403" in str(refused.value) and "ErrorAccessDenied" in str(refused.value)
    assert graph.sent == []


async def test_throttling_past_the_budget_is_retried_later_not_refused(
    identity: FakeIdentity, graph: FakeGraph
) -> None:
    graph.throttle(6, 0)  # more 429s than one send waits for
    with pytest.raises(DeliveryRefused) as refused:
        await _sender(identity, graph).send(NOTICE)
    assert refused.value.permanent is False
    assert len(graph.throttled) == 6 and graph.sent == []


async def test_a_delta_round_over_several_pages_tickets_every_message(
    migrated: Settings, identity: FakeIdentity, graph: FakeGraph, store: Sessions
) -> None:
    settings = graph_settings(migrated, identity, graph)
    box = settings.imap_mailboxes[0].model_copy(update={"chunk": 2})
    settings = settings.model_copy(update={"imap_mailboxes": [box]})
    for n in range(5):
        graph.deliver(make_email(message_id=f"<p{n}@msss.example>", subject=f"Demande {n}"))
    async with running_service(settings):
        await eventually(lambda: len(graph.in_folder("Guichet/Traité")) == 5, timeout=30)
        await eventually(lambda: len(graph.sent) == 5, timeout=30)
    assert await count(store, Ticket) == 5
    assert graph.in_folder("inbox") == []


def test_graph_needs_oauth2_and_imap_needs_a_host() -> None:
    with pytest.raises(ValidationError) as graph_password:
        MailboxSettings.model_validate(
            {"transport": "graph", "username": "csc@itq.example", "password": "x"}
        )
    text = explain(graph_password.value)
    assert 'transport = "graph" needs auth = "oauth2"' in text and "client_id" in text
    with pytest.raises(ValidationError) as no_host:
        MailboxSettings.model_validate({"username": "csc@itq.example", "password": "x"})
    assert "host: the IMAP server is missing" in str(no_host.value)
    with pytest.raises(ValidationError) as transport:
        MailboxSettings.model_validate(
            {"transport": "ews", "host": "h", "username": "u", "password": "x"}
        )
    assert "transport" in str(transport.value)
