"""WebSocket gatekeeping: Origin check and authentication (session cookie or X-Session-Token)."""

from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


class AllowedHostsOrAppOriginValidator(OriginValidator):
    """Refuse a socket whose Origin is not one of ALLOWED_HOSTS.

    Browsers always send Origin, so a cross-site page cannot ride the session cookie. A socket
    without Origin comes from an app client; it is let through only with an X-Session-Token,
    which a browser page cannot forge for another site's user.
    """

    def __init__(self, application):
        allowed = list(settings.ALLOWED_HOSTS)
        if settings.DEBUG and not allowed:
            allowed = ["localhost", "127.0.0.1", "[::1]"]
        super().__init__(application, allowed)

    async def __call__(self, scope, receive, send):
        if _header(scope, b"origin") is None and _header(scope, b"x-session-token"):
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)


@database_sync_to_async
def _user_for_token(token: str):
    found = authenticate_by_x_session_token(token)
    if not found:
        return AnonymousUser()
    user, _session = found
    return user if user.is_active else AnonymousUser()


class SessionTokenAuthMiddleware:
    """scope["user"] from X-Session-Token when given, else from the session cookie."""

    def __init__(self, application):
        self.application = application
        self.cookie_auth = AuthMiddlewareStack(application)

    async def __call__(self, scope, receive, send):
        token = _header(scope, b"x-session-token")
        if token:
            scope = dict(scope, user=await _user_for_token(token))
            return await self.application(scope, receive, send)
        return await self.cookie_auth(scope, receive, send)
