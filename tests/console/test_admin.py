"""Account administration over HTTP against the running service: admins add accounts, change
them, disable them (their sessions end, their API tokens are refused), set passwords and revoke
tokens; leads and agents get 403; an admin cannot lock themselves out; every agent switches
their own console language."""

from __future__ import annotations

import html
import logging
import re

import aiohttp
import pytest
from playwright.async_api import Browser, expect
from sqlmodel import select

from bot.accounts import passwords, tokens
from bot.store.db import Sessions
from bot.store.models import Account, ApiToken, Role
from bot.tickets import Language
from tests.console.helpers import CSRF, NOW, PASSWORD, account, sign_in

ACCOUNTS = "/console/admin/accounts"
NEW_PASSWORD = "un autre mot de passe solide"


def jar() -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True)


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url, allow_redirects=False) as answer:
        return answer.status, await answer.text()


async def csrf_of(http: aiohttp.ClientSession, url: str) -> str:
    status, text = await get(http, url)
    assert status == 200, text
    token = CSRF.search(text)
    assert token is not None
    return token.group(1)


async def post(
    http: aiohttp.ClientSession, url: str, data: list[tuple[str, str]] | dict[str, str]
) -> tuple[int, str, str]:
    async with http.post(url, data=data, allow_redirects=False) as answer:
        return answer.status, await answer.text(), answer.headers.get("Location", "")


async def stored(store: Sessions, email: str) -> Account | None:
    async with store() as session:
        return (await session.exec(select(Account).where(Account.email == email))).first()


async def token_for(store: Sessions, email: str) -> str:
    async with store() as session:
        found = (await session.exec(select(Account).where(Account.email == email))).one()
        token = await tokens.issue(session, found, "Grafana", NOW)
        await session.commit()
    return token


async def api_status(service: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{service}/api/v1/tickets", headers=headers) as answer,
    ):
        return answer.status


async def id_of(store: Sessions, email: str) -> int:
    found = await stored(store, email)
    assert found is not None and found.id is not None
    return found.id


def new_agent_form(csrf: str, **changed: str) -> list[tuple[str, str]]:
    fields = {
        "csrf": csrf, "email": " Pat.Tremblay@Desk.example ", "name": "Pat Tremblay",
        "role": "agent", "language": "en", "password": PASSWORD, "password_again": PASSWORD,
    }  # fmt: skip
    fields.update(changed)
    return [*fields.items(), ("teams", "network"), ("teams", "printing"), ("levels", "N1")]


async def test_an_admin_adds_an_agent_who_then_signs_in(
    service: str, store: Sessions, caplog: pytest.LogCaptureFixture
) -> None:
    admin = await account(store, "admin.desk@itq.example", Role.ADMIN)
    caplog.set_level(logging.INFO, logger="bot.console.admin")
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, admin, PASSWORD) == 303
        status, home = await get(http, f"{service}/console/")
        assert status == 200 and f'href="{ACCOUNTS}"' in home  # the admin's nav link
        token = await csrf_of(http, service + ACCOUNTS)
        status, _, location = await post(http, service + ACCOUNTS, new_agent_form(token))
        assert status == 303 and location == ACCOUNTS
        status, listing = await get(http, service + ACCOUNTS)
        assert status == 200 and "pat.tremblay@desk.example" in listing
        assert "Pat Tremblay" in listing and "network, printing" in listing

    made = await stored(store, "pat.tremblay@desk.example")
    assert made is not None and made.role == Role.AGENT and made.active
    assert made.teams == ["network", "printing"] and made.levels == ["N1"]
    assert made.language == Language.EN and made.password_hash != PASSWORD
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, "pat.tremblay@desk.example", PASSWORD) == 303
        status, queue = await get(http, f"{service}/console/")
        assert status == 200 and '<html lang="en">' in queue
        assert ACCOUNTS not in queue  # no admin link for an agent

    logged = [r.getMessage() for r in caplog.records if r.name == "bot.console.admin"]
    assert any("added" in line and "p…@desk.example" in line for line in logged), logged
    assert any("a…@itq.example" in line for line in logged), logged
    assert not any("pat.tremblay@" in line or "admin.desk@" in line for line in logged)


async def test_leads_and_agents_get_403_and_signed_out_visitors_go_to_sign_in(
    service: str, store: Sessions
) -> None:
    await account(store, "admin@itq.example", Role.ADMIN)
    target = await id_of(store, "admin@itq.example")
    pages = [ACCOUNTS, f"{ACCOUNTS}/{target}"]
    forms = [
        ACCOUNTS, f"{ACCOUNTS}/{target}", f"{ACCOUNTS}/{target}/disable",
        f"{ACCOUNTS}/{target}/enable", f"{ACCOUNTS}/{target}/password",
        f"{ACCOUNTS}/{target}/tokens/1/revoke",
    ]  # fmt: skip
    for role in (Role.LEAD, Role.AGENT):
        email = await account(store, f"{role.value}@itq.example", role)
        async with aiohttp.ClientSession(cookie_jar=jar()) as http:
            assert await sign_in(http, service, email, PASSWORD) == 303
            token = await csrf_of(http, f"{service}/console/")
            for path in pages:
                status, text = await get(http, service + path)
                assert status == 403 and "administrateurs" in text, (role, path)
            for path in forms:
                status, text, _ = await post(http, service + path, {"csrf": token})
                assert status == 403 and "administrateurs" in text, (role, path)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        for path in pages:
            status, _ = await get(http, service + path)
            assert status == 303
        for path in forms:
            status, _, location = await post(http, service + path, {"csrf": "x"})
            assert status == 303 and location == "/console/login"
    found = await stored(store, "admin@itq.example")
    assert found is not None and found.active and found.role == Role.ADMIN


async def test_disabling_ends_the_sessions_and_refuses_the_api_tokens(
    service: str, store: Sessions
) -> None:
    admin = await account(store, "admin@itq.example", Role.ADMIN)
    agent = await account(store, "lea@itq.example", Role.AGENT)
    bearer = await token_for(store, agent)
    target = f"{service}{ACCOUNTS}/{await id_of(store, agent)}"
    assert await api_status(service, bearer) == 200
    async with (
        aiohttp.ClientSession(cookie_jar=jar()) as theirs,
        aiohttp.ClientSession(cookie_jar=jar()) as http,
    ):
        assert await sign_in(theirs, service, agent, PASSWORD) == 303
        assert (await get(theirs, f"{service}/console/"))[0] == 200
        assert await sign_in(http, service, admin, PASSWORD) == 303
        token = await csrf_of(http, target)
        status, _, location = await post(http, f"{target}/disable", {"csrf": token})
        assert status == 303 and location.endswith(target.removeprefix(service))
        status, _ = await get(theirs, f"{service}/console/")
        assert status == 303  # to the sign-in page
        assert await api_status(service, bearer) == 401
        assert await sign_in(theirs, service, agent, PASSWORD) == 401
        status, page = await get(http, target)
        assert status == 200 and "désactivé" in page

        status, _, _ = await post(http, f"{target}/enable", {"csrf": token})
        assert status == 303
        assert await api_status(service, bearer) == 200
        async with theirs.get(f"{service}/console/", allow_redirects=False) as old_cookie:
            assert old_cookie.status == 303  # the old session does not come back
    found = await stored(store, agent)
    assert found is not None and found.active


async def test_an_admin_cannot_disable_themselves_nor_drop_their_own_admin_role(
    service: str, store: Sessions
) -> None:
    admin = await account(store, "admin@itq.example", Role.ADMIN, language=Language.EN)
    other = await account(store, "second@itq.example", Role.ADMIN)
    mine = f"{service}{ACCOUNTS}/{await id_of(store, admin)}"
    theirs = f"{service}{ACCOUNTS}/{await id_of(store, other)}"
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, admin, PASSWORD) == 303
        token = await csrf_of(http, mine)
        status, page, _ = await post(http, f"{mine}/disable", {"csrf": token})
        assert status == 409 and "cannot disable your own account" in page
        status, page, _ = await post(
            http, mine, {"csrf": token, "name": "Me", "role": "lead", "language": "en"}
        )
        assert status == 409 and "your own admin role" in page
        status, _, _ = await post(
            http, mine, {"csrf": token, "name": "Me", "role": "admin", "language": "en"}
        )
        assert status == 303  # the rest of one's own profile may change
        status, _, _ = await post(
            http, theirs, {"csrf": token, "name": "Second", "role": "lead", "language": "fr"}
        )
        assert status == 303  # another admin's role may change
    me = await stored(store, admin)
    assert me is not None and me.active and me.role == Role.ADMIN and me.name == "Me"
    second = await stored(store, other)
    assert second is not None and second.role == Role.LEAD


@pytest.mark.parametrize(
    ("changed", "said"),
    [
        ({"email": "pas-une-adresse"}, "pas une adresse"),
        ({"password": "court", "password_again": "court"}, "trop court"),
        ({"password_again": PASSWORD + "!"}, "ne sont pas identiques"),
    ],
)
async def test_bad_input_is_400_with_the_message_and_what_was_typed(
    service: str, store: Sessions, changed: dict[str, str], said: str
) -> None:
    admin = await account(store, "admin@itq.example", Role.ADMIN)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, admin, PASSWORD) == 303
        token = await csrf_of(http, service + ACCOUNTS)
        status, page, _ = await post(http, service + ACCOUNTS, new_agent_form(token, **changed))
    text = html.unescape(page)
    assert status == 400 and said in text
    assert 'value="Pat Tremblay"' in text and 'value="en" selected' in text
    assert re.search(r'value="network"[^>]* checked', text)
    assert re.search(r'value="N1"[^>]* checked', text) and not re.search(
        r'value="N2"[^>]* checked', text
    )
    assert changed.get("email", "Pat.Tremblay@Desk.example") in text
    assert PASSWORD not in text and 'value="court"' not in text  # never the password
    assert 'name="password" type="password" required minlength="12"' in text
    async with store() as session:
        assert len((await session.exec(select(Account))).all()) == 1


async def test_an_admin_changes_a_profile_a_password_and_revokes_a_token(
    service: str, store: Sessions
) -> None:
    admin = await account(store, "admin@itq.example", Role.ADMIN)
    agent = await account(store, "lea@itq.example", Role.AGENT, teams=("network",))
    bearer = await token_for(store, agent)
    assert await api_status(service, bearer) == 200
    target = f"{service}{ACCOUNTS}/{await id_of(store, agent)}"
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, admin, PASSWORD) == 303
        status, page = await get(http, target)
        assert status == 200 and "Grafana" in page and "python -m bot tokens create" in page
        token = CSRF.search(page)
        assert token is not None
        csrf = token.group(1)
        status, page, _ = await post(
            http, target,
            [("csrf", csrf), ("name", "Léa B."), ("role", "lead"), ("language", "en"),
             ("teams", "security")],
        )  # fmt: skip
        assert status == 400 and "pour les agents" in html.unescape(page)
        assert 'value="Léa B."' in html.unescape(page)
        status, _, _ = await post(
            http, target,
            [("csrf", csrf), ("name", "Léa B."), ("role", "agent"), ("language", "en"),
             ("teams", "security"), ("teams", "network"), ("levels", "N2")],
        )  # fmt: skip
        assert status == 303
        status, page, _ = await post(
            http, f"{target}/password",
            {"csrf": csrf, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"},
        )  # fmt: skip
        assert status == 400 and "ne sont pas identiques" in page and NEW_PASSWORD not in page
        status, _, _ = await post(
            http, f"{target}/password",
            {"csrf": csrf, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        )  # fmt: skip
        assert status == 303
        async with store() as session:
            [made] = (await session.exec(select(ApiToken))).all()
        status, _, _ = await post(http, f"{target}/tokens/{made.id}/revoke", {"csrf": csrf})
        assert status == 303
        status, page = await get(http, target)
        assert status == 200 and "révoqué" in page
    assert await api_status(service, bearer) == 401
    found = await stored(store, agent)
    assert found is not None and found.name == "Léa B." and found.role == Role.AGENT
    assert found.teams == ["security", "network"] and found.levels == ["N2"]
    assert found.language == Language.EN and found.password_hash is not None
    assert passwords.verify(found.password_hash, NEW_PASSWORD)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, agent, PASSWORD) == 401
        assert await sign_in(http, service, agent, NEW_PASSWORD) == 303


async def test_every_agent_switches_their_own_console_language(
    service: str, store: Sessions
) -> None:
    agent = await account(store, "lea@itq.example", Role.AGENT)
    async with aiohttp.ClientSession(cookie_jar=jar()) as http:
        assert await sign_in(http, service, agent, PASSWORD) == 303
        status, page = await get(http, f"{service}/console/canned")
        assert status == 200 and '<html lang="fr">' in page and "Réponses types" in page
        token = CSRF.search(page)
        assert token is not None
        status, _, _ = await post(http, f"{service}/console/language", {"language": "en"})
        assert status == 403  # no CSRF token
        async with http.post(
            f"{service}/console/language",
            data={"csrf": token.group(1), "language": "en"},
            headers={"Referer": f"{service}/console/canned"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 303 and answer.headers["Location"] == "/console/canned"
        status, page = await get(http, f"{service}/console/canned")
        assert '<html lang="en">' in page and "Canned responses" in page
        async with http.post(
            f"{service}/console/language",
            data={"csrf": token.group(1), "language": "de"},
            headers={"Referer": "https://elsewhere.example/"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 400
    found = await stored(store, agent)
    assert found is not None and found.language == Language.EN


@pytest.mark.slow
async def test_an_admin_adds_an_account_through_the_form_in_chromium(
    service: str, store: Sessions, browser: Browser
) -> None:
    admin = await account(store, "admin@itq.example", Role.ADMIN)
    page = await browser.new_page()
    refused: list[str] = []  # what the Content-Security-Policy blocked, if anything
    page.on("console", lambda message: refused.append(message.text))
    await page.goto(f"{service}/console/login")
    await page.locator("#email").fill(admin)  # the sign-in page follows the browser's language
    await page.locator("#password").fill(PASSWORD)
    await page.locator('form[action="/console/login"] button[type="submit"]').click()
    await page.get_by_role("link", name="Comptes").click()
    await expect(page).to_have_url(service + ACCOUNTS)
    form = page.locator(f'form[action="{ACCOUNTS}"]')
    await form.get_by_label("Adresse courriel").fill("noa@desk.example")
    await form.get_by_label("Nom").fill("Noa Roy")
    await form.get_by_label("Rôle").select_option("agent")
    await form.get_by_label("network").check()
    await form.get_by_label("N2").check()
    await form.get_by_label("Langue").select_option("en")
    await form.get_by_label("Mot de passe", exact=True).fill(NEW_PASSWORD)
    await form.get_by_label("Le même mot de passe, encore").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Ajouter le compte").click()
    await expect(page).to_have_url(service + ACCOUNTS)
    row = page.locator("tr", has_text="noa@desk.example")
    await expect(row).to_contain_text("Noa Roy")
    await expect(row).to_contain_text("network")
    await row.get_by_role("link", name="noa@desk.example").click()
    await expect(page.locator("h1")).to_have_text("noa@desk.example")
    await page.get_by_role("button", name="English").click()  # the header's language switch
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("noa@desk.example")
    await expect(page.get_by_role("button", name="Disable the account")).to_be_visible()
    made = await stored(store, "noa@desk.example")
    assert made is not None and made.teams == ["network"] and made.levels == ["N2"]
    assert not [text for text in refused if "Content Security Policy" in text], refused
