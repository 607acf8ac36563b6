"""Outages name client organisations: known ids only, shown by name on the status page."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.outages import registry
from bot.outages.errors import InvalidOutage
from bot.outages.status import load_status, status_html
from bot.store.db import Sessions
from tests.outages.helpers import BROADCAST, NOW, draft

NAMED = replace(
    BROADCAST,
    organisations={"msss": ("Ministère de la Santé et des Services sociaux", "Ministry of Health")},
)


async def test_unknown_organisation_is_refused_and_says_which_exist(store: Sessions) -> None:
    async with store() as session:
        with pytest.raises(InvalidOutage, match="unknown organisation 'msssx'; known: msss"):
            await registry.declare(session, draft(organisations=("msssx",)), "cli:t", NOW, NAMED)


async def test_status_page_shows_organisation_names(store: Sessions) -> None:
    async with store() as session:
        await registry.declare(session, draft(organisations=("msss",)), "cli:t", NOW, NAMED)
        await session.commit()
        view = await load_status(session, NOW)
    assert "Ministère de la Santé et des Services sociaux" in status_html(
        view, "fr", NAMED.organisation_name
    )
    assert "Ministry of Health" in status_html(view, "en", NAMED.organisation_name)
