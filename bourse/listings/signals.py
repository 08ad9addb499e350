"""Signals other apps listen to, so listings need not know who cares.

`listing_published` is sent inside the transaction that publishes a listing (kwargs:
listing_id), so a receiver can enqueue its work in that same transaction: it must only store
durable work through bourse.core.outbox (which runs after commit), never act at once. The
matching app defers its background rematch from it.
"""

from django.dispatch import Signal

listing_published = Signal()
