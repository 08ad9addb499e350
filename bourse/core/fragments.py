"""Pieces of HTML rendered once and kept in the process, keyed on everything they show.

A search page renders the same few things again and again: the same twenty cards for the
searches of a town, the same category and département lists in the form. Each costs hundreds
of Python calls per item through the template engine (bench/http_load.py --profile search
counts them), for HTML that only changes when its data does. A `RenderedMemo` keeps such
pieces in the process, least recently used dropped first.

Nothing is ever invalidated: the key is made of the values the piece shows (a title, a company
name, a language, a photo's file...), so any change anywhere, on any process, gives a new key
and the old piece is simply not asked for again. Callers build the key from values they have
already loaded: a memo that needed a query to build its key would save little.

`settings.RENDERED_FRAGMENTS_KEPT` bounds each memo (0 turns memos off: every piece is rendered
each time, as without them; the benchmark compares both).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.utils.safestring import SafeString


class RenderedMemo:
    """At most `settings.RENDERED_FRAGMENTS_KEPT` rendered pieces, by key."""

    def __init__(self, name: str):
        self.name = name
        self._kept: OrderedDict[Hashable, SafeString] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], SafeString]) -> SafeString:
        """The piece kept under `key`, or `render()`'s result, kept for next time."""
        limit = settings.RENDERED_FRAGMENTS_KEPT
        if limit <= 0:
            return render()
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
                return html
        html = render()  # outside the lock: two threads may render the same piece, harmlessly
        with self._lock:
            self._kept[key] = html
            while len(self._kept) > limit:
                self._kept.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)
