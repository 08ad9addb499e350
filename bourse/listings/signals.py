"""Signals other apps listen to, so listings need not know who cares.

`listing_published` is sent after the transaction that published a listing commits
(kwargs: listing_id). The matching app starts its background rematch from it.
"""

from django.dispatch import Signal

listing_published = Signal()
