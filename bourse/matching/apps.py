from django.apps import AppConfig


def on_listing_published(sender, listing_id: int, **kwargs) -> None:
    """bourse.listings sends `listing_published` inside the publishing transaction: the
    rematch is an outbox row of that transaction, run after commit (by the worker, or inline
    in the embedded default), retried if it fails."""
    import uuid

    from bourse.core.outbox import defer

    from .tasks import rematch_listing

    defer(rematch_listing, listing_id, key=f"matching.rematch:{listing_id}:{uuid.uuid4().hex}")


class MatchingConfig(AppConfig):
    name = "bourse.matching"
    label = "matching"
    verbose_name = "Correspondances"

    def ready(self) -> None:
        from bourse.listings.signals import listing_published

        listing_published.connect(on_listing_published, dispatch_uid="matching.rematch_listing")
