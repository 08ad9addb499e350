"""Who declared a company: recorded by the declaration, shown to the moderators who check it
(queue page, the company's page, API), to nobody else."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse

from accounts import services
from accounts.models import Company, Membership
from tests import factories

pytestmark = pytest.mark.django_db

declared_migration = importlib.import_module("accounts.migrations.0012_company_declared_by")


def declarer(**fields):
    defaults = {
        "first_name": "Marie",
        "last_name": "Durand",
        "email": "marie.durand@menuiserie-durand.fr",
        "job_title": "Gérante",
        "phone": "+33612345678",
    }
    return factories.UserFactory(**{**defaults, **fields})


def declared_company(person, **fields):
    company = factories.CompanyFactory(**{"status": "pending", "declared_by": person, **fields})
    factories.MembershipFactory(user=person, company=company)
    return company


def test_declaring_a_company_records_who_declared_it():
    person = factories.UserFactory()
    company = services.company_create(
        by=person,
        name="Menuiserie Durand",
        siret=factories.make_siret(),
        address="4 rue des Artisans",
        postal_code="69007",
    )
    assert Company.objects.get(pk=company.pk).declared_by == person


def test_queue_page_shows_the_declarer_name_email_job_phone_and_when(client, moderator_69):
    company = declared_company(declarer())
    client.force_login(moderator_69)

    html = client.get(reverse("moderation:companies")).content.decode()

    assert "Déclarée par" in html
    assert "Marie Durand" in html
    assert "Gérante" in html
    assert 'href="mailto:marie.durand@menuiserie-durand.fr"' in html
    assert 'href="tel:+33612345678"' in html and "06 12 34 56 78" in html
    created = company.created_at.astimezone().strftime("%d/%m/%Y %H:%M")
    assert f"le {created}" in html


def test_queue_page_says_so_when_the_declarer_deleted_their_account(client, moderator_69):
    person = declarer()
    company = declared_company(person)
    factories.MembershipFactory(company=company, role=Membership.Role.MEMBER)
    services.user_delete(user=person)
    client.force_login(moderator_69)

    html = client.get(reverse("moderation:companies")).content.decode()

    assert "compte supprimé ou inconnu" in html
    assert "marie.durand@" not in html


def test_a_declarer_who_left_the_company_is_still_who_declared_it(client, moderator_69):
    person = declarer()
    company = declared_company(person)
    colleague = factories.MembershipFactory(company=company).user  # another admin
    services.membership_remove(membership=person.membership, by=person)
    client.force_login(moderator_69)

    html = client.get(reverse("accounts:company_detail", args=[company.pk])).content.decode()

    assert "Marie Durand" in html
    assert colleague.email in html  # in the member list, not as the declarer


def test_company_page_shows_the_declarer_to_its_moderators_only(client, moderator_69, moderator_75):
    company = declared_company(declarer(), status="verified")
    url = reverse("accounts:company_detail", args=[company.pk])
    partner = factories.MembershipFactory().user  # member of another verified company

    client.force_login(moderator_69)
    assert "Déclarée par" in client.get(url).content.decode()
    for viewer in (moderator_75, partner, company.declared_by):
        client.force_login(viewer)
        html = client.get(url).content.decode()
        assert "Déclarée par" not in html
        assert "06 12 34 56 78" not in html
    client.logout()
    assert "Déclarée par" not in client.get(url).content.decode()


def test_api_queue_gives_the_declarer_without_a_query_per_company(
    client_for, moderator_69, django_assert_num_queries
):
    first = declared_company(declarer())
    for n in range(3):
        declared_company(factories.UserFactory(job_title=f"Fonction {n}"))
    orphan = factories.CompanyFactory(status="pending")
    client = client_for(moderator_69)

    with django_assert_num_queries(2):  # count + page
        body = client.get("/api/v1/moderation/companies/?status=pending").json()

    rows = {row["id"]: row for row in body["results"]}
    assert body["count"] == 5
    assert rows[orphan.pk]["declared_by"] is None
    marie = rows[first.pk]["declared_by"]
    assert marie == {
        "id": first.declared_by_id,
        "name": "Marie Durand",
        "email": "marie.durand@menuiserie-durand.fr",
        "job_title": "Gérante",
        "phone": "+33612345678",
    }


def test_a_moderation_action_answers_with_the_declarer(client_for, moderator_69):
    company = declared_company(declarer())
    response = client_for(moderator_69).post(f"/api/v1/moderation/companies/{company.pk}/verify/")
    assert response.status_code == 200
    assert response.json()["declared_by"]["name"] == "Marie Durand"


@pytest.mark.parametrize("role", ["anonymous", "plain_user", "company_member"])
def test_the_declarer_is_not_given_to_non_moderators(as_role, role):
    declared_company(declarer())
    response = as_role(role).get("/api/v1/moderation/companies/")
    assert response.status_code in (401, 403)
    assert "marie" not in response.content.decode()


def test_moderator_outside_the_territory_sees_nothing_of_it(client_for, moderator_75):
    declared_company(declarer())
    body = client_for(moderator_75).get("/api/v1/moderation/companies/").json()
    assert body["count"] == 0


def test_the_migration_takes_the_first_member_made_with_the_company():
    person = factories.UserFactory()
    declared = declared_company(person)
    joined_later = factories.CompanyFactory(status="pending")
    late = factories.MembershipFactory(company=joined_later)
    Membership.objects.filter(pk=late.pk).update(
        joined_at=joined_later.created_at + timedelta(days=3)
    )
    Company.objects.update(declared_by=None)

    declared_migration.first_members_declared(apps, None)

    declared.refresh_from_db()
    joined_later.refresh_from_db()
    assert declared.declared_by == person
    # Its first member joined days later: not the declarer, who is unknown.
    assert joined_later.declared_by is None
