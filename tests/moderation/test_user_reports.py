"""Reports on a person: a member of a verified company reports someone who wrote to their
company; the moderator of that person's company's département sees the name and the company."""

import pytest

from bourse.moderation.models import Report
from tests import factories

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports/"


@pytest.fixture
def reporter(other_company):
    """A member of a verified company of Saint-Étienne (42)."""
    return factories.MembershipFactory(company=other_company).user


@pytest.fixture
def writer(company):
    """A member of the Lyon company (69) who wrote to the reporter's company."""
    return factories.MembershipFactory(
        company=company, user=factories.UserFactory(first_name="Jean", last_name="Escroc")
    ).user


@pytest.fixture
def wrote(company, reporter, writer):
    listing = factories.ListingFactory(company=reporter.membership.company, postal_code="42000")
    conversation = factories.ConversationFactory(listing=listing, other_company=company)
    factories.MessageFactory(
        conversation=conversation, company=company, sender=writer, body="Payez d'avance."
    )
    return conversation


def test_reporting_a_person_who_wrote_files_it_in_their_company_departement(
    client_for, reporter, writer, wrote
):
    response = client_for(reporter).post(
        REPORTS, {"target_type": "user", "target_id": writer.pk, "reason": "Démarchage abusif"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["target_type"] == "user"
    report = Report.objects.get()
    assert (report.target_type, report.target_id, report.departement) == (
        "user",
        writer.pk,
        "69",
    )


def test_a_person_the_reporter_never_saw_cannot_be_reported(client_for, reporter, company):
    stranger = factories.MembershipFactory(company=company).user
    response = client_for(reporter).post(
        REPORTS, {"target_type": "user", "target_id": stranger.pk, "reason": "x"}
    )
    assert response.status_code == 400
    assert "target_id" in response.json()
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ["unknown", "colleague", "no company"])
def test_unknown_colleague_or_companyless_person_is_400(client_for, reporter, who):
    target = {
        "unknown": lambda: 999999,
        "colleague": lambda: (
            factories.MembershipFactory(company=reporter.membership.company).user.pk
        ),
        "no company": lambda: factories.UserFactory().pk,
    }[who]()
    response = client_for(reporter).post(
        REPORTS, {"target_type": "user", "target_id": target, "reason": "x"}
    )
    assert response.status_code == 400
    assert "target_id" in response.json()
    assert not Report.objects.exists()


def test_moderator_queue_shows_the_person_and_their_company(
    client, client_for, reporter, writer, wrote, company, moderator_69
):
    client_for(reporter).post(
        REPORTS, {"target_type": "user", "target_id": writer.pk, "reason": "Démarchage abusif"}
    )
    client.force_login(moderator_69)
    page = client.get("/moderation/signalements/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Jean Escroc" in content
    assert company.name in content
    assert writer.email not in content


def test_warning_a_reported_person_warns_their_company(
    client_for, reporter, writer, wrote, company, moderator_69
):
    client_for(reporter).post(
        REPORTS, {"target_type": "user", "target_id": writer.pk, "reason": "Démarchage abusif"}
    )
    report = Report.objects.get()
    response = client_for(moderator_69).post(
        f"/api/v1/moderation/reports/{report.pk}/resolve/",
        {"decision": "warned", "note": "Pas de démarchage dans les conversations."},
    )
    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert report.decision == "warned"


def test_conversation_page_offers_to_report_the_sender(client, reporter, writer, wrote):
    client.force_login(reporter)
    page = client.get(f"/messages/{wrote.pk}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert f"target_type=user&amp;target_id={writer.pk}" in content
    assert "Signaler la personne" in content


def test_reporting_page_files_a_report_on_a_person(client, reporter, writer, wrote):
    client.force_login(reporter)
    response = client.post(
        "/moderation/signaler/",
        {
            "target_type": "user",
            "target_id": writer.pk,
            "reason": "Démarchage abusif",
            "next": f"/messages/{wrote.pk}/",
        },
    )
    assert response.status_code == 302
    assert Report.objects.get().target_type == "user"
