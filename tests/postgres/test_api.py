"""The real service on PostgreSQL: a dropped mail becomes a ticket and an acknowledgement, and
the tickets API lists (with its filters and order), shows and changes tickets. The API's own
tests, run again on this engine (a handful, not the whole suite twice)."""

from __future__ import annotations

from tests.api.test_access import (
    test_an_agent_sees_and_acts_on_their_teams_only_and_a_lead_everywhere,
    test_the_queue_filters_by_organisation_assignee_and_service_level,
    test_the_queue_puts_to_confirm_first_then_the_newest_and_filters,
)
from tests.api.test_changes import test_each_field_goes_through_the_domain_with_the_account_as_actor
from tests.api.test_mail_ticket import (
    test_a_severity_set_through_the_api_is_a_correction_the_export_sees,
    test_an_internal_note_sends_nothing_and_a_public_one_reaches_the_requester,
    test_search_finds_what_the_requester_wrote_then_and_later,
    test_the_ticket_shows_its_thread_proposal_and_log,
)

__all__ = [
    "test_a_severity_set_through_the_api_is_a_correction_the_export_sees",
    "test_an_agent_sees_and_acts_on_their_teams_only_and_a_lead_everywhere",
    "test_an_internal_note_sends_nothing_and_a_public_one_reaches_the_requester",
    "test_each_field_goes_through_the_domain_with_the_account_as_actor",
    "test_search_finds_what_the_requester_wrote_then_and_later",
    "test_the_queue_filters_by_organisation_assignee_and_service_level",
    "test_the_queue_puts_to_confirm_first_then_the_newest_and_filters",
    "test_the_ticket_shows_its_thread_proposal_and_log",
]
