"""Background work of the matching app (django-tasks).

The embedded default and the tests run tasks inline (immediate backend); production queues them
in the database for `manage.py db_worker` (TASKS_BACKEND=database).
"""

from django_tasks import task

from . import services


@task()
def rematch_listing(listing_id: int) -> dict:
    """Match a newly published listing: store its suggestions and join its counterparts'
    lists, record and announce strong matches, alert saved searches."""
    return services.rematch_listing(listing_id=listing_id).as_dict()


@task()
def refresh_suggestion_lists(listing_ids: list[int]) -> int:
    """Fill or refresh the stored suggestions of these listings (the periodic job hands them
    over by chunks: bourse/matching/jobs.py)."""
    return services.lists_refresh(listing_ids)


@task()
def send_saved_search_digest() -> int:
    """The daily e-mail of saved-search hits (the scheduler runs the same work every day:
    bourse/matching/jobs.py)."""
    return services.saved_search_digest_send()
