"""Webhooks on PostgreSQL (several workers share it): the log reader queues each entry once,
even with two readers at once, and the real service delivers through the outbox."""

from __future__ import annotations

from tests.webhooks.test_delivery import (
    test_a_5xx_is_retried_with_the_same_delivery_id_until_accepted,
    test_changes_through_the_api_are_announced_and_internal_notes_are_not,
)
from tests.webhooks.test_watcher import (
    test_a_cursor_moved_back_queues_nothing_twice_and_moves_on,
    test_each_entry_is_queued_once_per_endpoint_with_the_cursor,
    test_two_readers_at_once_queue_each_row_once,
)

__all__ = [
    "test_a_5xx_is_retried_with_the_same_delivery_id_until_accepted",
    "test_a_cursor_moved_back_queues_nothing_twice_and_moves_on",
    "test_changes_through_the_api_are_announced_and_internal_notes_are_not",
    "test_each_entry_is_queued_once_per_endpoint_with_the_cursor",
    "test_two_readers_at_once_queue_each_row_once",
]
