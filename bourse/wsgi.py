"""WSGI entry point (HTTP only; the WebSocket needs bourse.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bourse.settings")
application = get_wsgi_application()
