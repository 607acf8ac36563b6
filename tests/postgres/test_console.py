"""The agents' console on PostgreSQL: sign-in sessions, the queue and its filters, the live
stream, a merge. The console's own tests (over HTTP, no browser), run again on this engine."""

from __future__ import annotations

from tests.console.conftest import service  # noqa: F401
from tests.console.test_desk import test_the_queue_puts_to_confirm_first_and_filters
from tests.console.test_live import test_a_new_ticket_is_announced_on_the_stream
from tests.console.test_merge import (
    test_a_duplicate_is_merged_and_mail_naming_it_joins_the_kept_ticket,
)
from tests.console.test_signin import test_sign_in_sets_a_strict_session_cookie_kept_as_a_digest

__all__ = [
    "test_a_duplicate_is_merged_and_mail_naming_it_joins_the_kept_ticket",
    "test_a_new_ticket_is_announced_on_the_stream",
    "test_sign_in_sets_a_strict_session_cookie_kept_as_a_digest",
    "test_the_queue_puts_to_confirm_first_and_filters",
]
