"""The message leases of `bot.store.claims` on SQLite (one process: the claim takes no row
lock, its conditional lease is what it relies on); the same tests as on PostgreSQL."""

from tests.postgres.test_claims import (
    test_a_released_message_is_free_at_once_for_another_worker,
    test_a_sole_process_frees_every_lease_at_start_up,
    test_an_expired_lease_is_taken_over_and_a_live_one_is_not,
)

__all__ = [
    "test_a_released_message_is_free_at_once_for_another_worker",
    "test_a_sole_process_frees_every_lease_at_start_up",
    "test_an_expired_lease_is_taken_over_and_a_live_one_is_not",
]
