"""ASGI entry point: HTTP through Django, /ws/ through Channels (Origin checked, authenticated)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bourse.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from bourse.core.limits import BodySizeLimit  # noqa: E402
from messaging.middleware import (  # noqa: E402
    AllowedHostsOrAppOriginValidator,
    SessionTokenAuthMiddleware,
)
from messaging.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimit(django_asgi_app, settings.REQUEST_MAX_BODY_BYTES),
        "websocket": AllowedHostsOrAppOriginValidator(
            SessionTokenAuthMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
