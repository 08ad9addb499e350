from django.apps import AppConfig


def on_listing_published(sender, listing_id: int, **kwargs) -> None:
    """bourse.listings sends `listing_published` after the publishing transaction commits."""
    from .tasks import rematch_listing

    rematch_listing.enqueue(listing_id)


class MatchingConfig(AppConfig):
    name = "bourse.matching"
    label = "matching"
    verbose_name = "Correspondances"

    def ready(self) -> None:
        from bourse.listings.signals import listing_published

        listing_published.connect(on_listing_published, dispatch_uid="matching.rematch_listing")
