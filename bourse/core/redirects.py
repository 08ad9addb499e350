"""Where a form may send a person back to: a `next` URL of this site only.

A `next` taken from the request as it stands is an open redirect (a link on another site could
send someone through one of our forms to a look-alike page), so every page that honours one
checks it here.
"""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, url: str | None, default: str) -> str:
    """`url` when it points to this site (same host, and HTTPS when the request is), else
    `default`."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default
