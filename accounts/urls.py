# Web pages of this app (mounted at the site root by bourse/urls.py) and its /api/v1/ endpoints.
from django.urls import path

from . import api, terms, views

app_name = "accounts"

urlpatterns = [
    path("mon-compte/", views.profile, name="profile"),
    path("conditions-d-utilisation/accepter/", terms.accept, name="terms_accept"),
    path("mon-compte/preferences/", views.preferences, name="preferences"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mon-compte/export/", views.export, name="export"),
    path("mon-compte/supprimer/", views.delete_account, name="delete"),
    path("entreprise/", views.company, name="company"),
    path("entreprise/declarer/", views.company_create, name="company_create"),
    path("entreprise/modifier/", views.company_edit, name="company_edit"),
    path("entreprise/inviter/", views.invitation_create, name="invitation_create"),
    path(
        "entreprise/invitations/<int:pk>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("entreprise/membres/<int:pk>/retirer/", views.member_remove, name="member_remove"),
    path("entreprise/membres/<int:pk>/role/", views.member_role, name="member_role"),
    path("entreprises/<int:pk>/", views.company_detail, name="company_detail"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]

api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/preferences/", api.MePreferencesView.as_view(), name="api-me-preferences"),
    path("me/export/", api.MeExportView.as_view(), name="api-me-export"),
    path("companies/", api.CompanyListCreateView.as_view(), name="api-companies"),
    path("companies/<int:pk>/", api.CompanyDetailView.as_view(), name="api-company"),
    path(
        "companies/<int:pk>/members/",
        api.CompanyMembersView.as_view(),
        name="api-company-members",
    ),
    path(
        "companies/<int:pk>/members/<int:member_pk>/",
        api.CompanyMemberDetailView.as_view(),
        name="api-company-member",
    ),
    path(
        "companies/<int:pk>/invitations/",
        api.CompanyInvitationsView.as_view(),
        name="api-company-invitations",
    ),
    path(
        "companies/<int:pk>/invitations/<int:invitation_pk>/",
        api.CompanyInvitationDetailView.as_view(),
        name="api-company-invitation",
    ),
    path("invitations/", api.MyInvitationsView.as_view(), name="api-invitations"),
    path("geo/siret/<str:siret>/", api.SiretLookupView.as_view(), name="api-siret-lookup"),
    path(
        "invitations/<str:token>/accept/",
        api.InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
]
