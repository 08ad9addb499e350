"""Calls to public services outside the project (the company registry, the address geocoder).

The product never depends on them: every caller has an offline answer (a form filled by hand,
the shipped postal-code table). So a call here is short and bounded, and says plainly when the
service cannot be reached instead of raising something the caller has to guess about:

- a timeout on every call (connect and read);
- a rate limit kept in the cache, shared by every process that shares the cache, matching the
  service's published limit, so the service never answers 429 because of us;
- answers cached (found and not found alike), so a form typed twice asks once;
- after a failure the service is left alone for a while ("circuit open"), so a machine without
  network answers at once instead of waiting for a timeout on every page.

Tests never reach the network: they point the service's base URL at a local server that plays
recorded answers back (tests/outside.py).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)

# 127.0.0.1 and the real services alike are reached without a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Unreachable(Exception):
    """The service could not answer: no network, timeout, 5xx, or its rate limit reached."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class OutsideService:
    """One public JSON service: where it is, how long to wait, how often we may call it."""

    name: str
    base_url: str
    timeout: float = 4.0
    per_second: int = 5
    cache_seconds: int = 24 * 3600
    pause_after_failure: int = 60

    def _key(self, *parts: str) -> str:
        return ":".join(("outside", self.name, *parts))

    def _take_token(self) -> bool:
        """One call of the `per_second` allowed in the current second, for all processes."""
        key = self._key("rate", str(int(time.time())))
        cache.add(key, 0, timeout=2)
        try:
            return cache.incr(key) <= self.per_second
        except ValueError:  # the key expired between add and incr
            return True

    def get_json(self, path: str, params: dict[str, str]) -> tuple[int, dict | None]:
        """(status, JSON body) of GET base_url + path; 404 comes back as (404, body).

        Raises Unreachable when the service is off, slow, over its limit or broken."""
        if not self.base_url:
            raise Unreachable("disabled")
        query = urllib.parse.urlencode(sorted(params.items()))
        cache_key = self._key("answer", path, query)
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
        if cache.get(self._key("paused")):
            raise Unreachable("paused after a recent failure")
        if not self._take_token():
            raise Unreachable("rate_limited")
        url = f"{self.base_url.rstrip('/')}{path}?{query}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                answer = (response.status, json.loads(response.read() or b"null"))
        except urllib.error.HTTPError as exc:
            with exc:
                try:
                    body = json.loads(exc.read() or b"null")
                except (OSError, ValueError):
                    body = None
            if exc.code in (400, 404):
                answer = (exc.code, body)
            else:
                reason = "rate_limited" if exc.code == 429 else f"http {exc.code}"
                self._pause(reason)
                raise Unreachable(reason) from exc
        except (OSError, ValueError) as exc:  # URLError, timeouts, refused, bad JSON
            self._pause(str(exc))
            raise Unreachable("unreachable") from exc
        cache.set(cache_key, answer, timeout=self.cache_seconds)
        return answer

    def _pause(self, reason: str) -> None:
        logger.warning(
            "%s unreachable (%s): left alone for %s s", self.name, reason, self.pause_after_failure
        )
        cache.set(self._key("paused"), True, timeout=self.pause_after_failure)
