"""`as_dict` is `dataclasses.asdict` for what the store keeps as JSON."""

from __future__ import annotations

from dataclasses import asdict

from bot.store.values import as_dict
from intake.message import Channel, OutboundMessage
from nlp import Channel as TextChannel
from nlp.triage import triage


def test_a_proposal_and_a_payload_are_what_asdict_makes() -> None:
    proposals = [
        triage("VPN", "Le VPN ne marche plus pour toute la direction des finances."),
        triage("", "can I get a second screen?", TextChannel.CHAT),
    ]
    message = OutboundMessage(
        channel=Channel.EMAIL,
        to=("ana@client.example", "desk@client.example"),
        subject="Re: écran",
        text="Bonjour",
        message_id="ack-1@guichet.example",
        references=("a@client.example", "b@client.example"),
        headers=(("X-Guichet-Ticket", "GUI-000001"),),
    )
    for made, expected in [
        *((as_dict(p), asdict(p)) for p in proposals),
        (as_dict(message), asdict(message)),
    ]:
        assert made == expected
        assert [type(v) for v in made.values()] == [type(v) for v in expected.values()]
