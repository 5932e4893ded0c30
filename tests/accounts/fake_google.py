"""A fake Google for the Google login tests, served over HTTP on 127.0.0.1.

It has an RSA key with a self-signed certificate and serves what allauth's Google
provider calls: the signing certificates in Google's v1 PEM format (and the same key as
a JWKS), the authorization endpoint, which consents at once and redirects back with a
code, the token endpoint, which checks the client credentials, redirect_uri and PKCE
verifier before answering with a signed ID token, and the userinfo endpoint.
"""

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

GOOGLE_ISSUER = "https://accounts.google.com"


@dataclass
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    certificate_pem: str

    @classmethod
    def generate(cls, kid: str) -> "SigningKey":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-google-signer")])
        now = dt.datetime.now(dt.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .sign(private_key, hashes.SHA256())
        )
        pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
        return cls(kid=kid, private_key=private_key, certificate_pem=pem)

    def jwk(self) -> dict[str, str]:
        numbers = self.private_key.public_key().public_numbers()

        def b64(number: int) -> str:
            raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "kid": self.kid,
            "n": b64(numbers.n),
            "e": b64(numbers.e),
        }


@dataclass
class PendingCode:
    claims: dict[str, Any]
    redirect_uri: str
    code_challenge: str | None


@dataclass
class FakeGoogleState:
    client_id: str
    client_secret: str
    key: SigningKey
    # Claims of the Google account that "consents" at the authorization endpoint next.
    next_identity: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, PendingCode] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    certs_status: int = 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, seen in self.requests if seen == path)


class FakeGoogle:
    """The fake's server and its state; tests use `id_token()` and `next_identity`."""

    def __init__(self, *, base_url: str, client_id: str, client_secret: str) -> None:
        parts = urlsplit(base_url)
        assert parts.hostname == "127.0.0.1", "the fake Google only ever listens on 127.0.0.1"
        self.base_url = base_url
        self.state = FakeGoogleState(
            client_id=client_id, client_secret=client_secret, key=SigningKey.generate("fake-kid-1")
        )
        # Signs tokens that claim the real key's kid, to prove the signature is checked.
        self.rogue_key = SigningKey.generate("fake-kid-1")
        self._server = ThreadingHTTPServer(("127.0.0.1", parts.port), _handler_for(self.state))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self.state.lock:
            self.state.next_identity = {}
            self.state.codes.clear()
            self.state.requests.clear()
            self.state.certs_status = 200

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": GOOGLE_ISSUER,
            "aud": self.state.client_id,
            "azp": self.state.client_id,
            "sub": "110000000000000000001",
            "email": "ann@gmail.com",
            "email_verified": True,
            "name": "Ann Example",
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return {key: value for key, value in claims.items() if value is not None}

    def id_token(
        self, *, signed_by: SigningKey | None = None, header: dict | None = None, **overrides: Any
    ) -> str:
        key = signed_by or self.state.key
        headers = {"kid": key.kid, **(header or {})}
        return jwt.encode(
            self.claims(**overrides), key.private_key, algorithm="RS256", headers=headers
        )

    def set_next_identity(self, **overrides: Any) -> None:
        with self.state.lock:
            self.state.next_identity = self.claims(**overrides)

    def requests_to(self, path: str) -> int:
        return self.state.count(path)


def _pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _handler_for(state: FakeGoogleState):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            url = urlsplit(self.path)
            with state.lock:
                state.requests.append(("GET", url.path))
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            cache_control = {"Cache-Control": "public, max-age=21600"}

            if url.path == "/oauth2/v1/certs":
                if state.certs_status != 200:
                    return self._json(state.certs_status, {"error": "unavailable"})
                return self._json(200, {state.key.kid: state.key.certificate_pem}, cache_control)
            if url.path == "/oauth2/v3/certs":
                return self._json(200, {"keys": [state.key.jwk()]}, cache_control)
            if url.path == "/o/oauth2/v2/auth":
                return self._authorize(query)
            if url.path == "/oauth2/v2/userinfo":
                with state.lock:
                    identity = dict(state.next_identity)
                return self._json(
                    200,
                    {
                        "id": identity.get("sub"),
                        "email": identity.get("email"),
                        "verified_email": identity.get("email_verified"),
                        "name": identity.get("name"),
                    },
                )
            return self._json(404, {"error": "not_found"})

        def _authorize(self, query: dict[str, str]) -> None:
            if query.get("client_id") != state.client_id or query.get("response_type") != "code":
                return self._json(400, {"error": "invalid_request"})
            if not query.get("redirect_uri") or not query.get("state"):
                return self._json(400, {"error": "invalid_request"})
            code = secrets.token_urlsafe(16)
            with state.lock:
                state.codes[code] = PendingCode(
                    claims=dict(state.next_identity),
                    redirect_uri=query["redirect_uri"],
                    code_challenge=query.get("code_challenge"),
                )
            location = (
                query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
            )
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self):
            url = urlsplit(self.path)
            with state.lock:
                state.requests.append(("POST", url.path))
            if url.path != "/token":
                return self._json(404, {"error": "not_found"})
            length = int(self.headers.get("Content-Length", "0"))
            form = {
                key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()
            }

            if form.get("grant_type") != "authorization_code":
                return self._json(400, {"error": "unsupported_grant_type"})
            if (
                form.get("client_id") != state.client_id
                or form.get("client_secret") != state.client_secret
            ):
                return self._json(401, {"error": "invalid_client"})
            with state.lock:
                pending = state.codes.pop(form.get("code", ""), None)
            if pending is None or form.get("redirect_uri") != pending.redirect_uri:
                return self._json(400, {"error": "invalid_grant"})
            if (
                pending.code_challenge is not None
                and _pkce_challenge(form.get("code_verifier", "")) != pending.code_challenge
            ):
                return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})

            id_token = jwt.encode(
                pending.claims,
                state.key.private_key,
                algorithm="RS256",
                headers={"kid": state.key.kid},
            )
            return self._json(
                200,
                {
                    "access_token": secrets.token_urlsafe(24),
                    "expires_in": 3599,
                    "token_type": "Bearer",
                    "scope": "openid email profile",
                    "id_token": id_token,
                },
            )

    return Handler
