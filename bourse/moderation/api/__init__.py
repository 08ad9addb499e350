"""Moderation API (/api/v1/moderation/...) and reports (/api/v1/reports/), one module by
concern: common (who may call, CSV answers, serializers), queues (companies and listings, one or
several at once, common reasons), reports, figures (audit log, statistics), calls (the advisors'
call list), crises (crisis mode).

Moderators only (401 anonymous, 403 anyone else), scoped to their départements; an object outside
the territory is 404. In the audit log, `actor` is `{"id", "email"}`: the e-mail is kept when the
account is deleted (then `id` is null).
"""

from .calls import (
    AdvisorCallCreateSerializer as AdvisorCallCreateSerializer,
)
from .calls import (
    AdvisorCallCreateView as AdvisorCallCreateView,
)
from .calls import (
    AdvisorCallSerializer as AdvisorCallSerializer,
)
from .calls import (
    UnansweredContactSerializer as UnansweredContactSerializer,
)
from .calls import (
    UnansweredEntrySerializer as UnansweredEntrySerializer,
)
from .calls import (
    UnansweredList as UnansweredList,
)
from .calls import (
    UnansweredQuerySerializer as UnansweredQuerySerializer,
)
from .common import (
    DEPARTEMENT_PARAM as DEPARTEMENT_PARAM,
)
from .common import (
    STATUS_PARAM as STATUS_PARAM,
)
from .common import (
    AuditLogSerializer as AuditLogSerializer,
)
from .common import (
    CSVExportMixin as CSVExportMixin,
)
from .common import (
    HoldReasonSerializer as HoldReasonSerializer,
)
from .common import (
    IsModerator as IsModerator,
)
from .common import (
    ModerationCompanyRefSerializer as ModerationCompanyRefSerializer,
)
from .common import (
    ModerationCompanySerializer as ModerationCompanySerializer,
)
from .common import (
    ModerationListingSerializer as ModerationListingSerializer,
)
from .common import (
    ModeratorAPIView as ModeratorAPIView,
)
from .common import (
    ReasonSerializer as ReasonSerializer,
)
from .common import (
    ReportCreateSerializer as ReportCreateSerializer,
)
from .common import (
    ReportSerializer as ReportSerializer,
)
from .common import (
    ResolveSerializer as ResolveSerializer,
)
from .common import (
    csv_response as csv_response,
)
from .common import (
    territory_filters as territory_filters,
)
from .common import (
    wants_csv as wants_csv,
)
from .crises import (
    ActiveCrisisList as ActiveCrisisList,
)
from .crises import (
    CrisisCloseView as CrisisCloseView,
)
from .crises import (
    CrisisListCreateView as CrisisListCreateView,
)
from .figures import (
    AuditLogList as AuditLogList,
)
from .figures import (
    StatsQuerySerializer as StatsQuerySerializer,
)
from .figures import (
    StatsView as StatsView,
)
from .queues import (
    BulkResultSerializer as BulkResultSerializer,
)
from .queues import (
    BulkSerializer as BulkSerializer,
)
from .queues import (
    BulkView as BulkView,
)
from .queues import (
    CompanyActionView as CompanyActionView,
)
from .queues import (
    CompanyBulkSerializer as CompanyBulkSerializer,
)
from .queues import (
    CompanyBulkView as CompanyBulkView,
)
from .queues import (
    CompanyReasonActionView as CompanyReasonActionView,
)
from .queues import (
    ListingActionView as ListingActionView,
)
from .queues import (
    ListingBulkSerializer as ListingBulkSerializer,
)
from .queues import (
    ListingBulkView as ListingBulkView,
)
from .queues import (
    ListingReasonActionView as ListingReasonActionView,
)
from .queues import (
    ModerationCompanyList as ModerationCompanyList,
)
from .queues import (
    ModerationListingList as ModerationListingList,
)
from .queues import (
    ModerationReasonSerializer as ModerationReasonSerializer,
)
from .queues import (
    ReasonListView as ReasonListView,
)
from .queues import (
    moderation_listings as moderation_listings,
)
from .queues import (
    run_action as run_action,
)
from .reports import (
    ModerationReportList as ModerationReportList,
)
from .reports import (
    ReportCreateView as ReportCreateView,
)
from .reports import (
    ReportResolveView as ReportResolveView,
)
