"""Moderation pages (French): dashboard, queues, audit log, statistics — one module by concern
(common, queue_pages, reports, figures, calls, crises).

Anonymous visitors are sent to the login page; signed-in users who are not moderators get a 403
page; an object outside the moderator's territory is 404. Every action calls a service.
"""

from .calls import (
    _unanswered_page as _unanswered_page,
)
from .calls import (
    unanswered as unanswered,
)
from .calls import (
    unanswered_call as unanswered_call,
)
from .common import (
    PAGE_SIZE as PAGE_SIZE,
)
from .common import (
    _back as _back,
)
from .common import (
    _decorate as _decorate,
)
from .common import (
    _departement_choices as _departement_choices,
)
from .common import (
    _own_company as _own_company,
)
from .common import (
    _page as _page,
)
from .common import (
    _reasons_by_object as _reasons_by_object,
)
from .common import (
    _status_filter as _status_filter,
)
from .common import (
    _territory_label as _territory_label,
)
from .common import (
    dashboard as dashboard,
)
from .common import (
    moderator_required as moderator_required,
)
from .crises import (
    crises as crises,
)
from .crises import (
    crisis_banner_hide as crisis_banner_hide,
)
from .crises import (
    crisis_close as crisis_close,
)
from .crises import (
    crisis_open as crisis_open,
)
from .figures import (
    _bars as _bars,
)
from .figures import (
    _export_links as _export_links,
)
from .figures import (
    log as log,
)
from .figures import (
    stats as stats,
)
from .queue_pages import (
    DONE_MANY as DONE_MANY,
)
from .queue_pages import (
    DONE_ONE as DONE_ONE,
)
from .queue_pages import (
    _bulk as _bulk,
)
from .queue_pages import (
    _companies_page as _companies_page,
)
from .queue_pages import (
    _listings_page as _listings_page,
)
from .queue_pages import (
    _reason as _reason,
)
from .queue_pages import (
    companies as companies,
)
from .queue_pages import (
    company_action as company_action,
)
from .queue_pages import (
    company_bulk as company_bulk,
)
from .queue_pages import (
    done_message as done_message,
)
from .queue_pages import (
    listing_action as listing_action,
)
from .queue_pages import (
    listing_bulk as listing_bulk,
)
from .queue_pages import (
    listings as listings,
)
from .reports import (
    _reports_page as _reports_page,
)
from .reports import (
    _safe_next as _safe_next,
)
from .reports import (
    report_create as report_create,
)
from .reports import (
    report_resolve as report_resolve,
)
from .reports import (
    reports as reports,
)
