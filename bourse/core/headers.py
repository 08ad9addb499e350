"""Response headers that Django does not set itself.

`Permissions-Policy` (settings.PERMISSIONS_POLICY, `{feature: [allowed origins]}`, an empty list
refusing the feature to every origin, this site included) on every response, pages and API alike;
and `Retry-After` on a 429 that lacks one (allauth's own limits do not set it).
The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY); HSTS,
Referrer-Policy, nosniff and frame denial from Django's own middleware.
"""

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.utils.decorators import sync_and_async_middleware


def permissions_policy_value(policy: dict[str, list[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` → `camera=(), fullscreen=(self)`."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


# allauth's limits count per minute at most, except failed logins (accounts.adapter sets those).
DEFAULT_RETRY_AFTER = "60"


@sync_and_async_middleware
def security_headers_middleware(get_response):
    """Adds the headers; runs on the ASGI server's event loop without a thread hop."""
    value = permissions_policy_value(getattr(settings, "PERMISSIONS_POLICY", {}))

    def add_header(response):
        if value:
            response.headers.setdefault("Permissions-Policy", value)
        if response.status_code == 429:
            response.headers.setdefault("Retry-After", DEFAULT_RETRY_AFTER)
        return response

    if iscoroutinefunction(get_response):

        async def middleware(request):
            return add_header(await get_response(request))

    else:

        def middleware(request):
            return add_header(get_response(request))

    return middleware
