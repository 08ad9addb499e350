"""ASGI entry point: HTTP through Django, /ws/ through Channels (Origin checked, authenticated).

Once the application is built, the objects of the start-up (~140,000: modules, URL patterns,
settings, translations) move to the garbage collector's permanent generation (`gc.freeze()`):
they live as long as the process, and every full collection used to traverse them all, a pause
of ~100 ms of CPU on this project's machines in the middle of serving sockets and requests
(docs/benchmarks.md, "Real-time messaging").
"""

import gc
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

# Start-up garbage collected once, then the survivors out of every later full collection.
gc.collect()
gc.freeze()
