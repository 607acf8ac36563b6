"""The rules an account's fields follow, whatever the command or page that sets them."""

from __future__ import annotations

import pytest

from bot.accounts.fields import InvalidAccount, bounded, check_scope, email_of, labels_of
from bot.store.models import Role
from bot.tickets import Level, Team


def test_email_is_lower_cased_and_stripped() -> None:
    assert email_of("  Pat.Tremblay@Desk.Example ") == "pat.tremblay@desk.example"
    assert email_of("a+b@x.y.example") == "a+b@x.y.example"
    assert email_of("p" * 307 + "@desk.example") == "p" * 307 + "@desk.example"  # 320


@pytest.mark.parametrize(
    "text",
    [
        "",
        "pat",
        "pat@desk",
        "@desk.example",
        "pat@",
        "pat@.example",
        "pat@desk.",
        "pat@desk..example",
        "pat@bob@desk.example",
        "pat @desk.example",
        "pat@desk.example\x1b[2J",
        "p" * 308 + "@desk.example",  # 321
    ],
)
def test_bad_emails_are_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(InvalidAccount, match=r"expected name@domain\.example"):
        email_of(text)


def test_labels_keep_order_drop_repeats_and_blanks_any_case() -> None:
    assert labels_of("network, printing,,NETWORK", Team, "--teams") == ["network", "printing"]
    assert labels_of("n2,N1", Level, "--levels") == ["N2", "N1"]
    assert labels_of("", Team, "--teams") == []


def test_unknown_label_names_the_option_and_the_accepted_values() -> None:
    with pytest.raises(InvalidAccount) as caught:
        labels_of("network,plumbing", Team, "--teams")
    assert "--teams" in str(caught.value) and "'plumbing'" in str(caught.value)
    assert all(team.value in str(caught.value) for team in Team)


def test_only_agents_are_narrowed_to_teams_and_levels() -> None:
    check_scope(Role.AGENT, ["network"], ["N1"])
    check_scope(Role.LEAD, [], [])
    for role in (Role.LEAD, Role.ADMIN):
        with pytest.raises(InvalidAccount, match="--role agent"):
            check_scope(role, [], ["N1"])


def test_names_and_labels_are_bounded() -> None:
    assert bounded("  Pat  ", "--name") == "Pat"
    with pytest.raises(InvalidAccount, match="--label: at most 200"):
        bounded("x" * 201, "--label")
