"""What the matching services share: a listing's link, and the one-statement insert that decides
who announces a new row (bourse.core.rows)."""

from django.urls import NoReverseMatch, reverse

from bourse.core.rows import insert_new_rows as insert_new_rows


def listing_url(listing_id: int) -> str:
    """The listing's page, as a path (e-mails prefix it with settings.SITE_URL)."""
    try:
        return reverse("listings:detail", args=[listing_id])
    except NoReverseMatch:
        return f"/annonces/{listing_id}/"
