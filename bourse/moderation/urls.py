# Web pages of this app (mounted at /moderation/ by bourse/urls.py) and its /api/v1/ endpoints.
from django.urls import path

from . import actions, api, views

app_name = "moderation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("entreprises/", views.companies, name="companies"),
    path("entreprises/<int:pk>/action/", views.company_action, name="company_action"),
    path("entreprises/lot/", views.company_bulk, name="company_bulk"),
    path("annonces/", views.listings, name="listings"),
    path("annonces/<int:pk>/action/", views.listing_action, name="listing_action"),
    path("annonces/lot/", views.listing_bulk, name="listing_bulk"),
    path("signalements/", views.reports, name="reports"),
    path("signalements/<int:pk>/traiter/", views.report_resolve, name="report_resolve"),
    path("journal/", views.log, name="log"),
    path("sans-reponse/", views.unanswered, name="unanswered"),
    path("sans-reponse/<int:pk>/appel/", views.unanswered_call, name="unanswered_call"),
    path("statistiques/", views.stats, name="stats"),
    path("crises/", views.crises, name="crises"),
    path("crises/ouvrir/", views.crisis_open, name="crisis_open"),
    path("crises/<int:pk>/cloturer/", views.crisis_close, name="crisis_close"),
    path("crises/<int:pk>/masquer/", views.crisis_banner_hide, name="crisis_banner_hide"),
    path("signaler/", views.report_create, name="report_create"),
]


def _company_action(name: str):
    _service, needs_reason = actions.COMPANY_ACTIONS[name]
    view = api.CompanyReasonActionView if needs_reason else api.CompanyActionView
    return view.as_view(action_name=name)


def _listing_action(name: str):
    _service, needs_reason = actions.LISTING_ACTIONS[name]
    view = api.ListingReasonActionView if needs_reason else api.ListingActionView
    return view.as_view(action_name=name)


api_urlpatterns = [
    path(
        "moderation/companies/",
        api.ModerationCompanyList.as_view(),
        name="api-moderation-companies",
    ),
    path(
        "moderation/companies/bulk/",
        api.CompanyBulkView.as_view(),
        name="api-moderation-companies-bulk",
    ),
    *[
        path(
            f"moderation/companies/<int:pk>/{name}/",
            _company_action(name),
            name=f"api-moderation-company-{name}",
        )
        for name in actions.COMPANY_ACTIONS
    ],
    path(
        "moderation/listings/",
        api.ModerationListingList.as_view(),
        name="api-moderation-listings",
    ),
    path(
        "moderation/listings/bulk/",
        api.ListingBulkView.as_view(),
        name="api-moderation-listings-bulk",
    ),
    path("moderation/reasons/", api.ReasonListView.as_view(), name="api-moderation-reasons"),
    *[
        path(
            f"moderation/listings/<int:pk>/{name}/",
            _listing_action(name),
            name=f"api-moderation-listing-{name}",
        )
        for name in actions.LISTING_ACTIONS
    ],
    path("moderation/reports/", api.ModerationReportList.as_view(), name="api-moderation-reports"),
    path(
        "moderation/reports/<int:pk>/resolve/",
        api.ReportResolveView.as_view(),
        name="api-moderation-report-resolve",
    ),
    path("moderation/log/", api.AuditLogList.as_view(), name="api-moderation-log"),
    path(
        "moderation/unanswered/",
        api.UnansweredList.as_view(),
        name="api-moderation-unanswered",
    ),
    path(
        "moderation/unanswered/<int:pk>/calls/",
        api.AdvisorCallCreateView.as_view(),
        name="api-moderation-unanswered-call",
    ),
    path("moderation/stats/", api.StatsView.as_view(), name="api-moderation-stats"),
    path(
        "moderation/crises/",
        api.CrisisListCreateView.as_view(),
        name="api-moderation-crises",
    ),
    path(
        "moderation/crises/<int:pk>/close/",
        api.CrisisCloseView.as_view(),
        name="api-moderation-crisis-close",
    ),
    path("crises/", api.ActiveCrisisList.as_view(), name="api-crises"),
    path("reports/", api.ReportCreateView.as_view(), name="api-reports"),
]
