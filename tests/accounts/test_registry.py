"""The public company registry: the adapter against recorded answers (found, closed, not found,
timeout, rate-limited), the verdict put in front of moderators, the SIRET look-up endpoint and
the check that follows a declaration."""

import pytest
from django.core.cache import cache

from accounts import registry
from accounts.models import Company
from tests import factories

from .conftest import CLOSED, FOUND, LIMITED, SLOW, UNKNOWN


def declared(siret: str, **fields) -> Company:
    defaults = {
        "name": "Froid Services du Rhône",
        "address": "12 rue de l'Industrie",
        "postal_code": "69007",
        "status": Company.Status.PENDING,
    }
    return factories.CompanyFactory(siret=siret, **{**defaults, **fields})


def test_found_establishment_is_read_from_the_registry(recorded_registry):
    answer = registry.lookup(FOUND)
    assert answer.name == "FROID SERVICES DU RHONE"
    assert answer.postal_code == "69007"
    assert answer.naf_code == "52.10B"
    assert answer.active is True
    assert answer.head_office is True
    assert answer.created_on == "2011-03-14"
    assert answer.headcount == "12"


def test_closed_branch_is_found_closed_although_its_company_is_active(recorded_registry):
    answer = registry.lookup(CLOSED)
    assert answer.active is False
    assert answer.head_office is False
    assert answer.postal_code == "42000"


def test_unknown_siret_is_none(recorded_registry):
    assert registry.lookup(UNKNOWN) is None


def test_timeout_is_unreachable_and_the_registry_is_then_left_alone(recorded_registry):
    with pytest.raises(registry.Unreachable):
        registry.lookup(SLOW)
    # The next question (even another SIRET) answers at once, without a call.
    with pytest.raises(registry.Unreachable):
        registry.lookup(FOUND)
    assert recorded_registry.calls == [SLOW]


def test_registry_429_is_unreachable_rate_limited(recorded_registry):
    with pytest.raises(registry.Unreachable) as raised:
        registry.lookup(LIMITED)
    assert raised.value.reason == "rate_limited"


def test_our_own_rate_limit_keeps_under_the_published_one(recorded_registry, settings):
    settings.REGISTRY_RATE_PER_SECOND = 1
    registry.lookup(FOUND)
    with pytest.raises(registry.Unreachable) as raised:
        registry.lookup(UNKNOWN)
    assert raised.value.reason == "rate_limited"
    assert recorded_registry.calls == [FOUND]


def test_answers_are_cached(recorded_registry):
    registry.lookup(FOUND)
    registry.lookup(FOUND)
    registry.lookup(UNKNOWN)
    registry.lookup(UNKNOWN)
    assert recorded_registry.calls == [FOUND, UNKNOWN]


def test_switched_off_registry_is_unreachable_without_a_call(settings):
    settings.REGISTRY_API_URL = ""
    with pytest.raises(registry.Unreachable):
        registry.lookup(FOUND)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siret", "fields", "status"),
    [
        (FOUND, {}, "match"),
        # Accents, case, legal form and word order do not matter.
        (FOUND, {"name": "SAS Froid services du RHÔNE"}, "match"),
        (FOUND, {"name": "Boulangerie Martin"}, "mismatch"),
        (FOUND, {"postal_code": "69003"}, "mismatch"),
        (FOUND, {"address": "3 boulevard des Belges"}, "mismatch"),
        (CLOSED, {"name": "Transports Martin et fils", "postal_code": "42000"}, "closed"),
        (UNKNOWN, {}, "not_found"),
        (SLOW, {}, "unreachable"),
    ],
)
def test_verdict_stored_on_the_company(recorded_registry, siret, fields, status):
    company = declared(siret, **fields)
    registry.company_registry_check(company=company)
    company.refresh_from_db()
    assert company.registry_status == status
    assert company.registry_checked_at is not None


@pytest.mark.django_db
def test_unreachable_registry_keeps_the_last_answer(recorded_registry):
    company = declared(FOUND)
    registry.company_registry_check(company=company)
    cache.clear()
    recorded_registry.slow.add(FOUND)
    registry.company_registry_check(company=company)
    company.refresh_from_db()
    assert company.registry_status == "unreachable"
    assert company.registry_data["name"] == "FROID SERVICES DU RHONE"


# --- The API --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_siret_lookup_prefills(recorded_registry, client_for, user):
    response = client_for(user).get(f"/api/v1/geo/siret/{FOUND}/")
    assert response.status_code == 200
    assert response.json() | {} == {
        "siret": FOUND,
        "name": "FROID SERVICES DU RHONE",
        "address": "12 RUE DE L'INDUSTRIE 69007 LYON",
        "postal_code": "69007",
        "commune": "LYON",
        "naf_code": "52.10B",
        "active": True,
        "created_on": "2011-03-14",
        "head_office": True,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siret", "status_code"),
    [(UNKNOWN, 404), (SLOW, 503), (LIMITED, 503), ("12345678901234", 400), ("abc", 400)],
)
def test_siret_lookup_errors(recorded_registry, client_for, user, siret, status_code):
    response = client_for(user).get(f"/api/v1/geo/siret/{siret}/")
    assert response.status_code == status_code
    if status_code == 400:
        assert "siret" in response.json()
    else:
        assert response.json()["detail"]


@pytest.mark.django_db
def test_siret_lookup_needs_an_account(recorded_registry, api_client):
    assert api_client.get(f"/api/v1/geo/siret/{FOUND}/").status_code in (401, 403)
    assert recorded_registry.calls == []


@pytest.mark.django_db
def test_declaration_is_checked_after_commit_and_shown_to_members_and_moderators(
    recorded_registry, client_for, user, moderator, other_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            "/api/v1/companies/",
            {
                "name": "Froid Services du Rhône",
                "siret": FOUND,
                "address": "12 rue de l'Industrie",
                "postal_code": "69007",
            },
            format="json",
        )
    assert response.status_code == 201
    company_id = response.json()["id"]
    own = client_for(user).get(f"/api/v1/companies/{company_id}/").json()
    assert own["registry"]["status"] == "match"
    assert own["registry"]["name"] == "FROID SERVICES DU RHONE"
    assert own["registry"]["active"] is True
    assert own["registry"]["checked_at"]
    seen_by_moderator = client_for(moderator).get(f"/api/v1/companies/{company_id}/").json()
    assert seen_by_moderator["registry"]["status"] == "match"
    # Another company does not see a pending company at all, nor anybody's registry answer.
    assert client_for(other_admin).get(f"/api/v1/companies/{company_id}/").status_code == 404


@pytest.mark.django_db
def test_declaration_succeeds_when_the_registry_is_unreachable(
    recorded_registry, client_for, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            "/api/v1/companies/",
            {"name": "Lente", "siret": SLOW, "address": "1 rue Neuve", "postal_code": "69001"},
            format="json",
        )
    assert response.status_code == 201
    assert Company.objects.get(pk=response.json()["id"]).registry_status == "unreachable"


@pytest.mark.django_db
def test_new_siret_asks_the_registry_again(
    recorded_registry, client_for, django_capture_on_commit_callbacks
):
    company = declared(UNKNOWN, status=Company.Status.VERIFIED)
    admin = factories.MembershipFactory(company=company).user
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).patch(
            f"/api/v1/companies/{company.pk}/", {"siret": FOUND}, format="json"
        )
    assert response.status_code == 200
    company.refresh_from_db()
    assert company.registry_status == "match"


# --- The pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_moderator_sees_the_registry_beside_the_declaration(recorded_registry, client, moderator):
    company = declared(FOUND, name="Boulangerie Martin")
    registry.company_registry_check(company=company)
    client.force_login(moderator)
    page = client.get("/moderation/entreprises/?status=pending").content.decode()
    assert "FROID SERVICES DU RHONE" in page  # the registry's name...
    assert "Boulangerie Martin" in page  # ...beside the declared one
    assert "à vérifier" in page.lower()
    assert 'class="differs"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("siret", "words"),
    [
        (CLOSED, "Établissement fermé"),
        (UNKNOWN, "ne connaît aucun établissement"),
        (SLOW, "n'a pas pu être consulté"),
    ],
)
def test_moderator_reads_each_verdict(recorded_registry, client, moderator, siret, words):
    company = declared(siret, postal_code="42000")
    registry.company_registry_check(company=company)
    client.force_login(moderator)
    page = client.get("/moderation/entreprises/?status=pending").content.decode()
    assert words in page


@pytest.mark.django_db
def test_declaration_form_asks_the_registry_through_the_api(client, user):
    client.force_login(user)
    page = client.get("/entreprise/declarer/").content.decode()
    assert 'data-registry-lookup="/api/v1/geo/siret/00000000000000/"' in page
    assert "js/siret-lookup.js" in page
    assert 'id="registry-texts"' in page  # what the script says, translated by the page
    assert "Reprendre ces informations" in page


# --- Checked again, periodically -------------------------------------------------------------


@pytest.mark.django_db
def test_recheck_job_queues_the_oldest_answers_first_in_bounded_batches(settings):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.jobs import recheck_registry
    from bourse.core.models import OutboxEntry

    settings.REGISTRY_RECHECK_BATCH = 2
    now = timezone.now()
    never = factories.CompanyFactory(registry_checked_at=None)
    long_ago = factories.CompanyFactory(registry_checked_at=now - timedelta(days=90))
    factories.CompanyFactory(registry_checked_at=now - timedelta(days=40))
    factories.CompanyFactory(registry_checked_at=now - timedelta(days=2))  # fresh: left alone
    factories.CompanyFactory(status=Company.Status.PENDING, registry_checked_at=None)

    assert recheck_registry() == 2
    queued = OutboxEntry.objects.filter(key__startswith="accounts.recheck:")
    assert sorted(e.payload["args"][0] for e in queued) == sorted([never.pk, long_ago.pk])
    assert recheck_registry() == 2  # the same hour: stored once, by key
    assert queued.count() == 2


@pytest.mark.django_db
def test_establishment_found_closed_is_flagged_to_its_moderators(
    recorded_registry, client, mailoutbox, django_capture_on_commit_callbacks
):
    company = declared(CLOSED, name="Transports Martin et fils", postal_code="42000")
    company.status = Company.Status.VERIFIED
    company.registry_status = Company.RegistryStatus.MATCH
    company.save()
    loire = factories.ModeratorFactory(departements=["42"]).user
    factories.ModeratorFactory(departements=["75"])
    with django_capture_on_commit_callbacks(execute=True):
        registry.company_registry_check(company=company)
    assert [m.to for m in mailoutbox] == [[loire.email]]
    assert "fermé" in mailoutbox[0].subject
    assert "Transports Martin et fils" in mailoutbox[0].body
    # Checked again and still closed: nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        registry.company_registry_check(company=company)
    assert len(mailoutbox) == 1
    client.force_login(loire)
    page = client.get("/moderation/").content.decode()
    assert "Établissements fermés selon le registre" in page
    assert "Transports Martin et fils" in page
