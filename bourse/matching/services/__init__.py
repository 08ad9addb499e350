"""Writes of the matching app: recording and announcing matches, dismissals, saved searches.

    matches         matches recorded and announced (rematch_listing, what the task runs),
                    dismissals and contacts of suggestions
    saved_searches  create, update, delete, and the hits of a newly published listing
    digests         the daily and weekly e-mails of saved-search hits and of new matches
    rows            a listing's link, the one-statement insert that decides who announces
    lists           stored suggestion lists: computed, joined by new listings, refreshed

The names below are the package's interface; views, the API, tasks, jobs and the tests import
them from here.
"""

from .digests import match_digest_send as match_digest_send
from .digests import saved_search_digest_send as saved_search_digest_send
from .digests import saved_search_weekly_send as saved_search_weekly_send
from .lists import exact_top as exact_top
from .lists import list_rematch as list_rematch
from .lists import list_store as list_store
from .lists import lists_forget_restored as lists_forget_restored
from .lists import lists_of_gone_listings_delete as lists_of_gone_listings_delete
from .lists import lists_refresh as lists_refresh
from .lists import lists_to_refresh as lists_to_refresh
from .lists import rank_key as rank_key
from .lists import ranking_top as ranking_top
from .lists import start_of_today as start_of_today
from .lists import stored_size as stored_size
from .lists import suggestion_lists_fill as suggestion_lists_fill
from .lists import with_feedback as with_feedback
from .matches import DEFAULT_NOTIFY_LIMIT as DEFAULT_NOTIFY_LIMIT
from .matches import DEFAULT_NOTIFY_THRESHOLD as DEFAULT_NOTIFY_THRESHOLD
from .matches import RematchResult as RematchResult
from .matches import matches_record as matches_record
from .matches import matches_record_for as matches_record_for
from .matches import notify_limit as notify_limit
from .matches import notify_threshold as notify_threshold
from .matches import rematch_listing as rematch_listing
from .matches import suggestion_contact as suggestion_contact
from .matches import suggestion_dismiss as suggestion_dismiss
from .matches import suggestion_restore as suggestion_restore
from .rows import insert_new_rows as insert_new_rows
from .rows import listing_url as listing_url
from .saved_searches import saved_search_create as saved_search_create
from .saved_searches import saved_search_delete as saved_search_delete
from .saved_searches import saved_search_hits_record as saved_search_hits_record
from .saved_searches import saved_search_update as saved_search_update
