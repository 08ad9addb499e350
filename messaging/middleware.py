"""WebSocket gatekeeping: Origin check and authentication (session cookie or X-Session-Token)."""

from urllib.parse import urlsplit

from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _origin_tuple(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin such as "https://bourse.example:8443"."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _allowed_hosts() -> list[str]:
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return allowed


def origin_allowed(scope, origin: str) -> bool:
    """The page's origin, compared by scheme, host and port with the site's own origin (the
    socket's scheme and Host, when that host is one of ALLOWED_HOSTS) and with
    CSRF_TRUSTED_ORIGINS (a site served behind a TLS proxy lists its https origin there)."""
    given = _origin_tuple(origin)
    if given is None:
        return False
    trusted = {_origin_tuple(o) for o in settings.CSRF_TRUSTED_ORIGINS}
    if given in trusted:
        return True
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    host = _header(scope, b"host")
    if host is None:
        # No Host header (a test harness): the allowed hosts on the scheme's default port.
        return (
            given[0] == scheme
            and given[2] == DEFAULT_PORTS[scheme]
            and validate_host(given[1], _allowed_hosts())
        )
    own = _origin_tuple(f"{scheme}://{host}")
    return own is not None and given == own and validate_host(own[1], _allowed_hosts())


class AllowedHostsOrAppOriginValidator:
    """Refuse a socket whose Origin is not the site's own (scheme, host and port).

    Browsers always send Origin, so a cross-site page cannot ride the session cookie. A socket
    without Origin comes from an app client; it is let through only with an X-Session-Token,
    which a browser page cannot forge for another site's user.
    """

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = _header(scope, b"origin")
        if origin is None and _header(scope, b"x-session-token"):
            return await self.application(scope, receive, send)
        if scope["type"] == "websocket" and (origin is None or not origin_allowed(scope, origin)):
            # Refused at the handshake (HTTP 403).
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 4403})
            return None
        return await self.application(scope, receive, send)


@database_sync_to_async
def _session_for_token(token: str):
    found = authenticate_by_x_session_token(token)
    if not found:
        return AnonymousUser(), None
    user, session = found
    return (user, session) if user.is_active else (AnonymousUser(), None)


class SessionTokenAuthMiddleware:
    """scope["user"] (and scope["session"]) from X-Session-Token when given, else from the
    session cookie."""

    def __init__(self, application):
        self.application = application
        self.cookie_auth = AuthMiddlewareStack(application)

    async def __call__(self, scope, receive, send):
        token = _header(scope, b"x-session-token")
        if token:
            user, session = await _session_for_token(token)
            scope = dict(scope, user=user, session=session)
            return await self.application(scope, receive, send)
        return await self.cookie_auth(scope, receive, send)
