"""Reports: a verified company member reports a listing, a company or a message; a moderator
of the target's département resolves it."""

import pytest
from django.core import mail

from accounts.models import Company
from bourse.listings.models import Listing
from bourse.moderation.models import AuditLogEntry, Report
from tests import factories

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


@pytest.fixture
def reporter(other_company):
    """A member of a verified company of Saint-Étienne (42)."""
    return factories.MembershipFactory(company=other_company).user


def test_reporting_a_listing_files_it_in_the_listing_departement(client_for, reporter):
    listing = factories.ListingFactory(postal_code="69003")

    response = client_for(reporter).post(
        REPORTS, {"target_type": "listing", "target_id": listing.pk, "reason": "Arnaque"}
    )

    assert response.status_code == 201
    assert response.json()["status"] == "open"
    report = Report.objects.get()
    assert (report.target_type, report.target_id, report.departement) == (
        "listing",
        listing.pk,
        "69",
    )
    assert report.reporter == reporter
    assert report.reporter_company == reporter.membership.company


def test_reporting_a_company_files_it_in_its_departement(client_for, reporter, company):
    response = client_for(reporter).post(
        REPORTS, {"target_type": "company", "target_id": company.pk, "reason": "Faux SIRET"}
    )
    assert response.status_code == 201
    assert Report.objects.get().departement == "69"


def test_reporting_a_message_files_it_in_the_conversation_listing_departement(
    client_for, reporter, make_conversation
):
    listing = factories.ListingFactory(postal_code="69003")
    conversation = make_conversation(
        listing,
        reporter.membership.company,
        [(listing.company, "Payez d'abord par mandat cash", None)],
    )
    message = conversation.messages.get()

    response = client_for(reporter).post(
        REPORTS, {"target_type": "message", "target_id": message.pk, "reason": "Arnaque"}
    )

    assert response.status_code == 201
    assert Report.objects.get().departement == "69"


@pytest.mark.parametrize(
    "make_target",
    [
        pytest.param(lambda me: ("listing", 999999), id="unknown listing"),
        pytest.param(
            lambda me: ("listing", factories.ListingFactory(status="pending").pk),
            id="another company's pending listing",
        ),
        pytest.param(
            lambda me: ("listing", factories.ListingFactory(company=me).pk),
            id="own listing",
        ),
        pytest.param(
            lambda me: ("company", factories.CompanyFactory(status="pending").pk),
            id="pending company",
        ),
        pytest.param(lambda me: ("company", me.pk), id="own company"),
        pytest.param(lambda me: ("message", 999999), id="unknown message"),
    ],
)
def test_reporting_what_the_reporter_cannot_see_is_400(client_for, reporter, make_target):
    target_type, target_id = make_target(reporter.membership.company)

    response = client_for(reporter).post(
        REPORTS, {"target_type": target_type, "target_id": target_id, "reason": "x"}
    )

    assert response.status_code == 400
    assert "target_id" in response.json()
    assert not Report.objects.exists()


def test_a_message_of_someone_elses_conversation_cannot_be_reported(
    client_for, reporter, make_conversation
):
    listing = factories.ListingFactory()
    outsider = factories.CompanyFactory()
    conversation = make_conversation(listing, outsider, [(outsider, "Bonjour", None)])

    response = client_for(reporter).post(
        REPORTS,
        {"target_type": "message", "target_id": conversation.messages.get().pk, "reason": "x"},
    )

    assert response.status_code == 400


def test_report_needs_a_reason_and_a_known_type(client_for, reporter, company):
    client = client_for(reporter)
    missing = client.post(REPORTS, {"target_type": "company", "target_id": company.pk})
    assert missing.status_code == 400 and "reason" in missing.json()
    bad_type = client.post(REPORTS, {"target_type": "planet", "target_id": 1, "reason": "x"})
    assert bad_type.status_code == 400 and "target_type" in bad_type.json()


@pytest.mark.parametrize("target_type", ["company", "user"])
def test_only_members_of_verified_companies_may_report(
    api_client, client_for, company, target_type
):
    target_id = company.pk
    if target_type == "user":
        target_id = factories.MembershipFactory(company=company).user.pk
    payload = {"target_type": target_type, "target_id": target_id, "reason": "x"}
    assert api_client.post(REPORTS, payload).status_code == 401
    assert client_for(factories.UserFactory()).post(REPORTS, payload).status_code == 403
    pending_member = factories.MembershipFactory(
        company=factories.CompanyFactory(status="pending")
    ).user
    assert client_for(pending_member).post(REPORTS, payload).status_code == 403
    assert not Report.objects.exists()


# --- Resolving -------------------------------------------------------------------------------


def resolve(client, report, **data):
    return client.post(f"/api/v1/moderation/reports/{report.pk}/resolve/", data)


def test_dismissing_a_report_closes_it_and_logs_it(client_for, moderator_69):
    report = factories.ReportFactory()

    response = resolve(client_for(moderator_69), report, decision="dismissed", note="")

    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolved_by"] == moderator_69.email
    report.refresh_from_db()
    assert (report.status, report.decision, report.resolved_by) == (
        "resolved",
        "dismissed",
        moderator_69,
    )
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.target_type, entry.target_id, entry.departement) == (
        "report.resolve",
        "report",
        report.pk,
        "69",
    )
    assert entry.data["decision"] == "dismissed"


def test_listing_hidden_decision_hides_the_listing(client_for, moderator_69):
    listing = factories.ListingFactory()
    report = factories.ReportFactory(target_type="listing", target_id=listing.pk)

    response = resolve(
        client_for(moderator_69), report, decision="listing_hidden", note="Produit interdit"
    )

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.status, listing.rejection_reason) == ("hidden", "Produit interdit")
    assert sorted(AuditLogEntry.objects.values_list("action", flat=True)) == [
        "listing.hide",
        "report.resolve",
    ]


def test_company_suspended_decision_suspends_the_message_author(
    client_for, moderator_69, make_conversation, reporter
):
    listing = factories.ListingFactory()
    conversation = make_conversation(
        listing, reporter.membership.company, [(listing.company, "Insultes", None)]
    )
    message = conversation.messages.get()
    report = factories.ReportFactory(target_type="message", target_id=message.pk)

    response = resolve(
        client_for(moderator_69), report, decision="company_suspended", note="Insultes répétées"
    )

    assert response.status_code == 200
    listing.company.refresh_from_db()
    assert listing.company.status == Company.Status.SUSPENDED
    assert not Listing.objects.published().exists()


def test_warning_emails_the_company(
    client_for, moderator_69, company, company_admin, django_capture_on_commit_callbacks
):
    report = factories.ReportFactory(target_id=company.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = resolve(
            client_for(moderator_69), report, decision="warned", note="Répondez à vos contacts."
        )

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [[company_admin.email]]
    assert "Répondez à vos contacts." in mail.outbox[0].body


@pytest.mark.parametrize("decision", ["warned", "listing_hidden", "company_suspended"])
def test_acting_decisions_need_a_note(client_for, moderator_69, decision):
    report = factories.ReportFactory()

    response = resolve(client_for(moderator_69), report, decision=decision, note="")

    assert response.status_code == 400
    assert "note" in response.json()
    report.refresh_from_db()
    assert report.status == "open"


def test_unknown_decision_and_wrong_target_are_400(client_for, moderator_69):
    report = factories.ReportFactory()  # about a company
    client = client_for(moderator_69)
    assert "decision" in resolve(client, report, decision="banned", note="x").json()
    response = resolve(client, report, decision="listing_hidden", note="x")
    assert response.status_code == 400
    assert "decision" in response.json()


def test_a_resolved_report_cannot_be_resolved_again(client_for, moderator_69):
    report = factories.ReportFactory()
    client = client_for(moderator_69)
    assert resolve(client, report, decision="dismissed").status_code == 200

    response = resolve(client, report, decision="dismissed")

    assert response.status_code == 400
    assert "déjà traité" in response.json()["non_field_errors"][0]
    assert AuditLogEntry.objects.count() == 1


def test_report_queue_is_scoped_and_filtered(client_for, moderator_69, django_assert_num_queries):
    open_69 = factories.ReportFactory()
    factories.ReportFactory(departement="75")
    factories.ReportFactory(status="resolved")
    client = client_for(moderator_69)

    with django_assert_num_queries(2):
        body = client.get("/api/v1/moderation/reports/?status=open").json()

    assert [row["id"] for row in body["results"]] == [open_69.pk]
    assert body["results"][0]["reporter_company"]["id"] == open_69.reporter_company_id


# --- The reporting page ----------------------------------------------------------------------


def test_reporting_page_files_a_report_and_goes_back(client, reporter):
    listing = factories.ListingFactory()
    client.force_login(reporter)
    url = "/moderation/signaler/"

    page = client.get(url, {"target_type": "listing", "target_id": listing.pk, "next": "/x/"})
    assert page.status_code == 200
    assert "Signaler un abus" in page.content.decode()

    empty = client.post(
        url, {"target_type": "listing", "target_id": listing.pk, "reason": "", "next": "/x/"}
    )
    assert empty.status_code == 400
    assert "Expliquez ce qui ne va pas." in empty.content.decode()

    done = client.post(
        url,
        {"target_type": "listing", "target_id": listing.pk, "reason": "Arnaque", "next": "/x/"},
    )
    assert done.status_code == 302 and done["Location"] == "/x/"
    assert Report.objects.get().target_id == listing.pk


def test_reporting_page_refuses_unknown_targets_and_foreign_redirects(client, reporter):
    client.force_login(reporter)
    unknown = client.post(
        "/moderation/signaler/",
        {"target_type": "listing", "target_id": 999999, "reason": "x", "next": "/x/"},
    )
    assert unknown.status_code == 400
    assert "Objet introuvable" in unknown.content.decode()
    assert ">\nx</textarea>" in unknown.content.decode()  # the typed reason is kept

    company = factories.CompanyFactory()
    done = client.post(
        "/moderation/signaler/",
        {
            "target_type": "company",
            "target_id": company.pk,
            "reason": "x",
            "next": "https://evil.example/",
        },
    )
    assert done["Location"] == "/"


def test_reporting_page_is_for_verified_members(client):
    assert client.get("/moderation/signaler/").status_code == 302  # to login
    client.force_login(factories.UserFactory())
    response = client.get("/moderation/signaler/")
    assert response.status_code == 403
    assert "entreprise vérifiée" in response.content.decode()


@pytest.mark.parametrize("decision", ["warned", "company_suspended"])
def test_acting_on_a_company_outside_the_territory_is_refused_on_decision(
    client_for, moderator_69, national, other_company, decision
):
    """A listing of a Loire (42) company placed in Rhône is reported in Rhône: a Rhône moderator
    sees the report but may not warn or suspend the company; a national moderator may."""
    listing = factories.ListingFactory(company=other_company, postal_code="69003")
    report = factories.ReportFactory(target_type="listing", target_id=listing.pk, departement="69")

    response = resolve(client_for(moderator_69), report, decision=decision, note="Publicité.")
    assert response.status_code == 400
    assert list(response.json()) == ["decision"]
    report.refresh_from_db()
    assert report.status == "open" and not AuditLogEntry.objects.exists()

    response = resolve(client_for(national), report, decision=decision, note="Publicité.")
    assert response.status_code == 200
