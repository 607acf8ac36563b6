"""Sign-in, sessions, CSRF and the sign-in brake, seen from an HTTP client against the running
service."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
from aiohttp.test_utils import make_mocked_request
from sqlmodel import select

from bot.console.language import preferred
from bot.console.sessions import secure_cookies
from bot.store.db import Sessions
from bot.store.models import Account, ConsoleSession, Role
from bot.tickets import Language
from tests.console.helpers import CSRF, PASSWORD, account, sign_in


async def test_a_signed_out_visitor_is_sent_to_the_sign_in_page(service: str) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        for path in ("/console/", "/console/tickets/CSC-000001", "/console/attachments/1"):
            async with http.get(service + path, allow_redirects=False) as answer:
                assert answer.status == 303
                assert answer.headers["Location"] == "/console/login"
                assert answer.headers["X-Frame-Options"] == "DENY"
                assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
        async with http.get(f"{service}/console/nowhere") as unknown:
            assert unknown.status == 404 and unknown.headers["X-Frame-Options"] == "DENY"


async def test_sign_in_sets_a_strict_session_cookie_kept_as_a_digest(
    service: str, store: Sessions
) -> None:
    email = await account(store, "lea@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{service}/console/login") as form:
            page = await form.text()
            policy = form.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert 'name="csrf"' in page
        assert await sign_in(http, service, email, PASSWORD) == 303
        cookie = next(c for c in http.cookie_jar if c.key == "guichet_console")
        assert cookie["httponly"] and cookie["samesite"] == "Lax"
        assert cookie["path"] == "/console" and not cookie["secure"]  # plain http, loopback
        async with store() as session:
            [kept] = (await session.exec(select(ConsoleSession))).all()
            stale = ConsoleSession(
                digest="0" * 64, account_id=kept.account_id, csrf="x",
                created_at=kept.created_at - timedelta(hours=9),
                expires_at=kept.created_at - timedelta(hours=1),
            )  # fmt: skip
            session.add(stale)
            await session.commit()
        assert cookie.value not in kept.digest and len(kept.digest) == 64
        assert (kept.expires_at - kept.created_at).total_seconds() == 8 * 3600
        async with http.get(f"{service}/console/", allow_redirects=False) as queue:
            assert queue.status == 200 and "File des billets" in await queue.text()
        assert await sign_in(http, service, email, PASSWORD) == 303  # expired ones are purged
        async with store() as session:
            digests = [s.digest for s in (await session.exec(select(ConsoleSession))).all()]
        assert len(digests) == 2 and "0" * 64 not in digests


async def test_unknown_address_and_wrong_password_get_the_same_answer(
    service: str, store: Sessions
) -> None:
    email = await account(store, "lea@itq.example", Role.LEAD)
    answers = []
    for who, password in ((email, "not the password!"), ("nobody@itq.example", PASSWORD)):
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{service}/console/login") as form:
                token = (await form.text()).split('name="csrf" value="')[1].split('"')[0]
            async with http.post(
                f"{service}/console/login",
                data={"csrf": token, "email": who, "password": password},
                allow_redirects=False,
            ) as answer:
                text = re.sub(r'nonce="[^"]+"', "", (await answer.text()).replace(token, ""))
                answers.append((answer.status, text))
    assert answers[0] == answers[1] and answers[0][0] == 401


async def test_a_post_without_its_csrf_token_is_refused(service: str, store: Sessions) -> None:
    email = await account(store, "lea@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(
            f"{service}/console/login", data={"email": email, "password": PASSWORD}
        ) as answer:
            assert answer.status == 403
        assert await sign_in(http, service, email, PASSWORD) == 303
        for data in ({}, {"csrf": "forged"}):
            async with http.post(
                f"{service}/console/logout", data=data, allow_redirects=False
            ) as answer:
                assert answer.status == 403
                assert "jeton de sécurité" in await answer.text()
        async with http.get(f"{service}/console/", allow_redirects=False) as still:
            assert still.status == 200  # the refused sign-out changed nothing


async def test_a_wrong_password_six_times_is_refused_with_429(
    service: str, store: Sessions
) -> None:
    email = await account(store, "lea@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        statuses = [await sign_in(http, service, email, "wrong password!") for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        assert await sign_in(http, service, email, PASSWORD) == 429  # the rest of the window
        async with http.get(f"{service}/console/login") as form:
            token = (await form.text()).split('name="csrf" value="')[1].split('"')[0]
        async with http.post(
            f"{service}/console/login",
            data={"csrf": token, "email": "other@itq.example", "password": PASSWORD},
        ) as answer:  # the same client address, another email: still refused
            assert answer.status == 429 and answer.headers["Retry-After"] == "900"
            assert "attendez 15 minutes" in await answer.text()


async def test_sign_out_and_a_disabled_account_end_the_session(
    service: str, store: Sessions
) -> None:
    email = await account(store, "lea@itq.example", Role.LEAD)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        assert await sign_in(http, service, email, PASSWORD) == 303
        async with store() as session:
            found = (await session.exec(select(Account))).one()
            found.active = False
            session.add(found)
            await session.commit()
        async with http.get(f"{service}/console/", allow_redirects=False) as answer:
            assert answer.status == 303 and answer.headers["Location"] == "/console/login"


def test_the_cookie_is_secure_unless_plain_http_from_loopback() -> None:
    plain = make_mocked_request("GET", "/console/login")
    assert not secure_cookies(plain.clone(remote="127.0.0.1"))
    assert not secure_cookies(plain.clone(remote="::1"))
    assert secure_cookies(plain.clone(remote="203.0.113.5"))
    assert secure_cookies(plain.clone(remote="127.0.0.1", scheme="https"))
    proxied = make_mocked_request("GET", "/console/login", headers={"X-Forwarded-Proto": "https"})
    assert secure_cookies(proxied.clone(remote="127.0.0.1"))
    assert secure_cookies(plain)  # an unknown peer is not trusted as local


async def test_the_sign_in_page_speaks_the_browsers_language_or_the_one_chosen(
    service: str, store: Sessions
) -> None:
    email = await account(store, "max@itq.example", Role.AGENT, language=Language.EN)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        english = {"Accept-Language": "en-CA,en;q=0.9,fr;q=0.5"}
        async with http.get(f"{service}/console/login", headers=english) as page:
            text = await page.text()
        assert '<html lang="en">' in text and "Sign in to the console" in text
        token = CSRF.search(text)
        assert token is not None
        async with http.post(
            f"{service}/console/login",
            data={"csrf": token.group(1), "lang": "en", "email": email, "password": "wrong"},
            allow_redirects=False,
        ) as refused:
            assert refused.status == 401 and "Wrong address or password" in await refused.text()
        async with http.get(f"{service}/console/login?lang=fr", headers=english) as page:
            assert "Connexion à la console" in await page.text()
        for hostile in ("", "*", "fr;q=abc, en;q=2", "x" * 5000, "en;q=0, fr;q=0"):
            async with http.get(
                f"{service}/console/login", headers={"Accept-Language": hostile}
            ) as page:
                assert page.status == 200 and '<html lang="fr">' in await page.text()
        async with http.get(f"{service}/console/nowhere", headers=english) as page:
            assert page.status == 404 and '<html lang="en">' in await page.text()


def test_the_browsers_preference_is_read_by_weight_then_order() -> None:
    assert preferred("de-CH, en;q=0.8, fr;q=0.9") is Language.FR
    assert preferred("en-US,fr-CA") is Language.EN
    assert preferred("fr-CA;q=0.4,en;q=0.4") is Language.FR
    assert preferred("de, es") is Language.FR
