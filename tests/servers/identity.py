"""A fake of the Microsoft identity platform on loopback, plus the token introspection endpoint
Dovecot and the test SMTP server check bearer tokens with.

It also signs people in to web applications (OpenID Connect authorization code with PKCE:
the authorize endpoint answers at once for `browser_user`). MSAL only speaks HTTPS: the token side is served over TLS with a self-signed certificate made
here with openssl (pass `ca_file` to MSAL's `verify=`). It answers the tenant's OpenID discovery
document and the v2.0 token endpoint for the client-credentials grant, in the shapes Microsoft
documents (errors as `{"error": "invalid_client", "error_description": "AADSTS7000215: …"}`).
Dovecot's http client gets the introspection endpoint over plain HTTP (RFC 7662 shape:
`{"active": true, "email": …}`). Each application may act for one mailbox, as an application
access policy and `Add-MailboxPermission` would allow. Everything runs on its own thread and
event loop, so the service under test and blocking test code can both call it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import ssl
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from tests.servers.smtp import free_port

TENANT = "00000000-0000-4000-8000-00000000aaaa"


@dataclass
class Client:
    secret: str
    mailbox: str
    certificate: bytes = b""
    """PEM of a certificate registered for the application: a client assertion signed with
    its key and naming its SHA-1 thumbprint (x5t) is accepted instead of the secret."""


@dataclass
class Issued:
    client_id: str
    mailbox: str
    expires_at: float
    revoked: bool = False


@dataclass
class FakeIdentity:
    root: Path
    clients: dict[str, Client] = field(default_factory=dict)
    lifetime: float = 3600.0
    """`expires_in` of the next tokens, in seconds."""
    issued: dict[str, Issued] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    """Client IDs whose credentials were refused, in order."""
    introspections: list[bool] = field(default_factory=list)
    public_clients: set[str] = field(default_factory=set)
    """Client IDs that may use the device-code flow (a delegated mailbox)."""
    device_codes: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    """device code → (user code, the user who approved it, once they have)."""
    refresh_tokens: dict[str, tuple[str, str]] = field(default_factory=dict)
    """refresh token → (client ID, user)."""
    web_apps: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Client ID → (secret, redirect URI) of web applications people sign in to (OIDC)."""
    browser_user: str | None = None
    """Who is signed in at "Microsoft" in the browser; None: the person cancels."""
    browser_tenant: str = TENANT
    codes: dict[str, tuple[str, str, str, str, str]] = field(default_factory=dict)
    """Authorization code → (client ID, user, nonce, PKCE challenge, redirect URI)."""
    https_port: int = 0
    http_port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runners: list[web.AppRunner] = field(default_factory=list)

    @property
    def authority(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/{TENANT}"

    @property
    def ca_file(self) -> Path:
        return self.root / "identity-cert.pem"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/introspect"

    # -- what tests and test servers call --------------------------------------------------

    def active_user(self, token: str) -> str | None:
        """The mailbox a token may act for, or None when it is unknown, expired or revoked."""
        with self._lock:
            issued = self.issued.get(token)
            ok = issued is not None and not issued.revoked and time.time() < issued.expires_at
            self.introspections.append(ok)
            return issued.mailbox if ok and issued is not None else None

    def revoke_all(self) -> None:
        with self._lock:
            for issued in self.issued.values():
                issued.revoked = True

    def approve(self, user_code: str, user: str) -> None:
        """`user` signed in on the device login page and typed `user_code`."""
        with self._lock:
            for device, (code, _) in list(self.device_codes.items()):
                if code == user_code:
                    self.device_codes[device] = (code, user)
                    return
        raise KeyError(user_code)

    def tokens_for(self, client_id: str) -> list[str]:
        with self._lock:
            return [t for t, i in self.issued.items() if i.client_id == client_id]

    # -- HTTP -------------------------------------------------------------------------------

    async def _discovery(self, request: web.Request) -> web.Response:
        base = f"https://127.0.0.1:{self.https_port}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "response_types_supported": ["code", "id_token", "code id_token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
            }
        )

    async def _device_code(self, request: web.Request) -> web.Response:
        form = await request.post()
        if str(form.get("client_id", "")) not in self.public_clients:
            return _error(
                400, "invalid_client", "AADSTS7000218: The request body must contain "
                "client_assertion or client_secret (public client flows are not allowed)."
            )  # fmt: skip
        device, user_code = secrets.token_urlsafe(16), secrets.token_hex(4).upper()
        with self._lock:
            self.device_codes[device] = (user_code, None)
        page = "https://microsoft.example/devicelogin"
        return web.json_response(
            {
                "user_code": user_code,
                "device_code": device,
                "verification_uri": page,
                "expires_in": 900,
                "interval": 1,
                "message": f"To sign in, use a web browser to open the page {page} and enter "
                f"the code {user_code} to authenticate.",
            }
        )

    def _delegated(self, client_id: str, user: str) -> web.Response:
        """Tokens for `user` (called with the lock held)."""
        token = f"fake-at-{secrets.token_urlsafe(24)}"
        refresh = f"fake-rt-{secrets.token_urlsafe(24)}"
        self.issued[token] = Issued(client_id, user, time.time() + self.lifetime)
        self.refresh_tokens[refresh] = (client_id, user)
        oid = "22222222-2222-4222-8222-222222222222"
        claims = {
            "iss": f"https://127.0.0.1:{self.https_port}/{TENANT}/v2.0",
            "aud": client_id,
            "sub": oid,
            "oid": oid,
            "tid": TENANT,
            "preferred_username": user,
            "iat": int(time.time()),
            "exp": int(time.time() + 3600),
        }
        return web.json_response(
            {
                "token_type": "Bearer",
                "scope": " ".join(DELEGATED),
                "expires_in": int(self.lifetime),
                "ext_expires_in": int(self.lifetime),
                "access_token": token,
                "refresh_token": refresh,
                "id_token": f"{_b64({'alg': 'none'})}.{_b64(claims)}.",
                "client_info": _b64({"uid": oid, "utid": TENANT}),
            }
        )

    async def _authorize(self, request: web.Request) -> web.Response:
        """The browser's visit: signed in as `browser_user`, straight back with a code."""
        q = request.query
        app = self.web_apps.get(q.get("client_id", ""))
        if app is None or q.get("redirect_uri") != app[1] or q.get("response_type") != "code":
            return _error(400, "invalid_request", "AADSTS50011: redirect URI mismatch.")
        back = {"state": q.get("state", "")}
        if self.browser_user is None:
            back.update(error="access_denied", error_description="AADSTS65004: declined.")
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self.codes[code] = (
                    q["client_id"], self.browser_user, q.get("nonce", ""),
                    q.get("code_challenge", ""), app[1],
                )  # fmt: skip
            back["code"] = code
        raise web.HTTPFound(f"{app[1]}?{urlencode(back)}")

    def _signed_in(self, form: Mapping[str, object], client_id: str) -> web.Response:
        """The authorization-code grant (called with the lock held)."""
        app = self.web_apps.get(client_id)
        if app is None or form.get("client_secret") != app[0]:
            return _error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        found = self.codes.pop(str(form.get("code", "")), None)
        verifier = str(form.get("code_verifier", "")).encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if (
            found is None
            or found[0] != client_id
            or found[4] != form.get("redirect_uri")
            or challenge.decode() != found[3]
        ):
            return _error(400, "invalid_grant", "AADSTS70008: the code is expired or invalid.")
        _, user, nonce, _, _ = found
        now = int(time.time())
        claims = {
            "iss": f"https://127.0.0.1:{self.https_port}/{self.browser_tenant}/v2.0",
            "aud": client_id, "sub": "s-" + user, "tid": self.browser_tenant,
            "preferred_username": user, "nonce": nonce, "iat": now, "nbf": now, "exp": now + 3600,
        }  # fmt: skip
        return web.json_response(
            {
                "token_type": "Bearer",
                "scope": "openid profile email",
                "expires_in": 3600,
                "access_token": f"fake-at-{secrets.token_urlsafe(24)}",
                "id_token": f"{_b64({'alg': 'none'})}.{_b64(claims)}.",
                "client_info": _b64({"uid": "s-" + user, "utid": self.browser_tenant}),
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        client_id = str(form.get("client_id", ""))
        grant = form.get("grant_type")
        if grant == "authorization_code":
            with self._lock:
                return self._signed_in(form, client_id)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            with self._lock:
                _, user = self.device_codes.get(str(form.get("device_code")), ("", None))
                if user is None:
                    return _error(400, "authorization_pending", "AADSTS70016: pending.")
                return self._delegated(client_id, user)
        if grant == "refresh_token":
            with self._lock:
                known = self.refresh_tokens.get(str(form.get("refresh_token")))
                if known is None or known[0] != client_id:
                    return _error(400, "invalid_grant", "AADSTS700082: refresh token expired.")
                return self._delegated(client_id, known[1])
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "AADSTS70003: unsupported grant type.")
        if form.get("scope") not in APP_SCOPES:
            return _error(400, "invalid_scope", "AADSTS70011: the provided scope is not valid.")
        with self._lock:
            client = self.clients.get(client_id)
            assertion = str(form.get("client_assertion", ""))
            if assertion and client is not None:
                endpoint = f"{self.authority}/oauth2/v2.0/token"
                if not _signed_by(assertion, client_id, client, endpoint):
                    self.refusals.append(client_id)
                    return _error(
                        401, "invalid_client", "AADSTS700027: The certificate with identifier "
                        "used to sign the client assertion is not registered on application."
                    )  # fmt: skip
            elif client is None or form.get("client_secret") != client.secret:
                self.refusals.append(client_id)
                if client is None:
                    return _error(
                        400,
                        "unauthorized_client",
                        f"AADSTS700016: Application with identifier '{client_id}' was not found "
                        f"in the directory '{TENANT}'.",
                    )
                return _error(
                    401,
                    "invalid_client",
                    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent "
                    "in the request is the client secret value, not the client secret ID, for a "
                    f"secret added to app '{client_id}'.",
                )
            token = f"fake-at-{secrets.token_urlsafe(24)}"
            self.issued[token] = Issued(client_id, client.mailbox, time.time() + self.lifetime)
            lifetime = int(self.lifetime)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            }
        )

    async def _introspect(self, request: web.Request) -> web.Response:
        form = await request.post()
        user = self.active_user(str(form.get("token", "")))
        if user is None:
            return web.json_response({"active": False})
        return web.json_response({"active": True, "email": user, "token_type": "Bearer"})

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        key = self.root / "identity-key.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                str(key),
                "-out",
                str(self.ca_file),
            ],
            check=True,
            capture_output=True,
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, key)
        self.https_port, self.http_port = free_port(), free_port()
        identity = web.Application()
        identity.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        identity.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        identity.router.add_get("/{tenant}/oauth2/v2.0/authorize", self._authorize)
        identity.router.add_post("/{tenant}/oauth2/v2.0/devicecode", self._device_code)
        introspection = web.Application()
        introspection.router.add_post("/introspect", self._introspect)
        loop = asyncio.new_event_loop()
        self._loop = loop
        started = threading.Event()

        async def serve() -> None:
            for app, port, tls in ((identity, self.https_port, context), (introspection, self.http_port, None)):  # fmt: skip
                runner = web.AppRunner(app)
                await runner.setup()
                await web.TCPSite(runner, "127.0.0.1", port, ssl_context=tls).start()
                self._runners.append(runner)

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(serve())
            started.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="fake-identity", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake identity platform did not start within 10 s")

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._thread is None:
            return

        async def cleanup() -> None:
            for runner in self._runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(10)
        loop.close()
        self._loop = None


APP_SCOPES = ("https://outlook.office365.com/.default", "https://graph.microsoft.com/.default")
"""Exchange Online (IMAP, SMTP) and Microsoft Graph."""

DELEGATED = (
    "https://outlook.office365.com/IMAP.AccessAsUser.All",
    "https://outlook.office365.com/SMTP.Send",
)


def _signed_by(assertion: str, client_id: str, client: Client, audience: str) -> bool:
    """RFC 7523 client assertion: signed by the registered certificate's key, for this client
    and this token endpoint, naming the certificate by its SHA-1 thumbprint."""
    import jwt
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    if not client.certificate:
        return False
    certificate = x509.load_pem_x509_certificate(client.certificate)
    thumbprint = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA1())).decode()
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(
            assertion,
            certificate.public_key(),  # type: ignore[arg-type]
            algorithms=["RS256", "PS256"],
            audience=audience,
        )
    except jwt.PyJWTError:
        return False
    named = str(header.get("x5t", "")).rstrip("=") == thumbprint.rstrip("=")
    return named and claims.get("iss") == claims.get("sub") == client_id


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _error(status: int, error: str, description: str) -> web.Response:
    return web.json_response(
        {
            "error": error,
            "error_description": f"{description}\r\nTrace ID: {secrets.token_hex(8)}",
            "error_codes": [int(description.split(":")[0].removeprefix("AADSTS"))],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        },
        status=status,
    )
