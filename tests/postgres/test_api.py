"""The real service on PostgreSQL: a dropped mail becomes a ticket and an acknowledgement, and
the tickets API lists, shows and changes it. The API's own tests, run again on this engine."""

from __future__ import annotations

from tests.api.test_mail_ticket import (
    test_a_severity_set_through_the_api_is_a_correction_the_export_sees,
    test_an_internal_note_sends_nothing_and_a_public_one_reaches_the_requester,
    test_search_finds_what_the_requester_wrote_then_and_later,
    test_the_ticket_shows_its_thread_proposal_and_log,
)

__all__ = [
    "test_a_severity_set_through_the_api_is_a_correction_the_export_sees",
    "test_an_internal_note_sends_nothing_and_a_public_one_reaches_the_requester",
    "test_search_finds_what_the_requester_wrote_then_and_later",
    "test_the_ticket_shows_its_thread_proposal_and_log",
]
