"""JSON at the edge: a body too large or nested too deep is a 400 with a clear message, never
a 500 (Python's json module raises RecursionError, which DRF's parser does not catch, on a few
thousand nested brackets).

`JSONParser` replaces DRF's for the whole API (settings.REST_FRAMEWORK); `JSONLimitsMiddleware`
covers the JSON views that are not DRF's (allauth's headless API).
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json


def max_bytes() -> int:
    return settings.API_JSON_MAX_BYTES


def max_depth() -> int:
    return settings.API_JSON_MAX_DEPTH


def too_deep_message() -> str:
    return _("Corps JSON trop imbriqué : %(depth)d niveaux au plus.") % {"depth": max_depth()}


def too_large_message() -> str:
    return _("Corps JSON trop volumineux : %(kb)d Ko au plus.") % {"kb": max_bytes() // 1024}


def depth_exceeds(value, limit: int) -> bool:
    """True when lists and objects nest more than `limit` levels (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size and a depth limit (API_JSON_MAX_BYTES, API_JSON_MAX_DEPTH)
    and French messages."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        limit = max_bytes()
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise ParseError(too_large_message())
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise ParseError(too_large_message())
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        parse_constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
        try:
            data = json.loads(raw.decode(encoding), parse_constant=parse_constant)
        except RecursionError as exc:
            raise ParseError(too_deep_message()) from exc
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise ParseError(_("JSON invalide : %(error)s") % {"error": exc}) from exc
        if depth_exceeds(data, max_depth()):
            raise ParseError(too_deep_message())
        return data


class JSONLimitsMiddleware(MiddlewareMixin):
    """A JSON view outside DRF that choked on a body nested too deep answers 400, not 500.

    MiddlewareMixin makes it async-capable: under ASGI a sync-only middleware costs every
    request two more hops between the event loop and a thread (bench/http_load.py)."""

    def process_exception(self, request, exception):
        if isinstance(exception, RecursionError) and "json" in request.content_type:
            return JsonResponse({"status": 400, "detail": too_deep_message()}, status=400)
        return None
