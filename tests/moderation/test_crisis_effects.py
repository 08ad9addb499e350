"""What a crisis changes while it lasts, and what its closing takes back: pinned needs in search
and suggestions, the banner of the territory's companies, listing lifetime, approval delay;
and the moderators' crisis pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bourse.listings.models import Category, Crisis
from bourse.listings.search import ListingSearch, PinnedSearch, SearchParams
from bourse.listings.services import listing_renew
from bourse.matching.queries import suggestions_for
from bourse.moderation import crises as crisis_services
from bourse.moderation.services import listing_approve
from tests import factories

pytestmark = pytest.mark.django_db

SEARCH_API = "/api/v1/listings/"


def _open(by, departements=("69",), categories=(), **changes) -> Crisis:
    values = {
        "title": "Inondations",
        "message": "Stockage au sec recherché.",
        "departements": list(departements),
        "starts_at": timezone.now(),
        "ends_at": None,
        "priority_categories": list(categories),
    }
    values.update(changes)
    return crisis_services.crisis_open(by=by, moderator=by.moderator, **values)


@pytest.fixture
def dry(db):
    return Category.objects.get(slug="entrepot-sec")


@pytest.fixture
def listings_69(dry):
    """Newest first without a crisis: an offer, a need of another category, then (oldest) the
    need of the priority category."""
    other = Category.objects.get(slug="metaux")
    pinned = factories.ListingFactory(
        kind="need", category=dry, title="Besoin urgent", published_ago=timedelta(days=3)
    )
    factories.ListingFactory(kind="need", category=other, published_ago=timedelta(days=2))
    factories.ListingFactory(kind="offer", category=dry, published_ago=timedelta(days=1))
    return pinned


# --- Search ----------------------------------------------------------------------------------


def test_search_pins_priority_needs_first_in_the_area_in_crisis(api_client, national, listings_69):
    plain = api_client.get(SEARCH_API, {"near": "69002"}).json()["results"]
    assert plain[-1]["id"] == listings_69.pk

    crisis = _open(national, categories=["entrepot-sec"])
    pinned = api_client.get(SEARCH_API, {"near": "69002"}).json()
    assert pinned["count"] == 3
    assert [r["id"] for r in pinned["results"]][0] == listings_69.pk
    # The same search around Marseille (no crisis there) keeps the usual order.
    far = api_client.get(SEARCH_API, {"near": "13001", "radius_km": "1000"}).json()["results"]
    assert far[0]["id"] != listings_69.pk

    crisis_services.crisis_close(crisis=crisis, by=national)
    closed = api_client.get(SEARCH_API, {"near": "69002"}).json()["results"]
    assert [r["id"] for r in closed] == [r["id"] for r in plain]


def test_an_offer_or_a_need_outside_the_crisis_departements_is_not_pinned(
    api_client, national, dry
):
    offer = factories.ListingFactory(kind="offer", category=dry, published_ago=timedelta(days=5))
    need_42 = factories.ListingFactory(
        kind="need", category=dry, postal_code="42000", published_ago=timedelta(days=4)
    )
    newest = factories.ListingFactory(kind="need", category=Category.objects.get(slug="bois"))
    _open(national, categories=["entrepot-sec"])

    ids = [r["id"] for r in api_client.get(SEARCH_API, {"near": "69002"}).json()["results"]]
    assert ids == [newest.pk, need_42.pk, offer.pk]


def test_a_member_search_without_place_uses_their_company_departement(
    client, company_member, national, listings_69
):
    _open(national, categories=["entrepot-sec"])
    client.force_login(company_member)  # company in Lyon (69)

    page = client.get(reverse("listings:search"))
    assert page.context["page"].object_list[0].pk == listings_69.pk
    assert "prioritaire (crise)" in page.content.decode()


def test_a_search_filtered_on_a_departement_in_crisis_pins(api_client, national, listings_69):
    _open(national, categories=["entrepot-sec"])

    ids = [r["id"] for r in api_client.get(SEARCH_API, {"departement": "69"}).json()["results"]]
    assert ids[0] == listings_69.pk
    elsewhere = api_client.get(SEARCH_API, {"departement": "13"}).json()
    assert elsewhere["count"] == 0


def test_anonymous_search_without_place_pins_nothing(client, national, listings_69):
    _open(national, categories=["entrepot-sec"])
    page = client.get(reverse("listings:search"))
    assert page.context["page"].object_list[-1].pk == listings_69.pk


def test_pinned_search_pages_through_both_parts_in_order(national, dry):
    pinned = [
        factories.ListingFactory(kind="need", category=dry, published_ago=timedelta(hours=h))
        for h in (30, 20, 10)
    ]
    others = [
        factories.ListingFactory(kind="offer", category=dry, published_ago=timedelta(hours=h))
        for h in (5, 4, 3, 2, 1)
    ]
    _open(national, categories=["entrepot-sec"])
    from bourse.listings.crises import pin_for

    search = PinnedSearch(SearchParams(), pin_for("69").q())
    expected = [x.pk for x in reversed(pinned)] + [x.pk for x in reversed(others)]

    assert search.count() == len(search) == 8
    assert [x.pk for x in search[0:8]] == expected
    for start, stop in ((0, 2), (2, 5), (3, 8), (5, 7), (7, 20)):
        assert [x.pk for x in search[start:stop]] == expected[start:stop]
    assert search[3].pk == expected[3]
    plain = [x.pk for x in reversed(others)] + [x.pk for x in reversed(pinned)]
    assert [x.pk for x in ListingSearch(SearchParams())[0:8]] == plain


# --- Suggestions -----------------------------------------------------------------------------


def test_suggestions_put_priority_needs_first_in_the_crisis(national, family, other_company):
    parent, storage, cold = family
    offer = factories.ListingFactory(
        kind="offer", category=storage, title="Entrepôt sec à louer", description="Entrepôt sec."
    )
    same = factories.ListingFactory(
        company=other_company,
        kind="need",
        category=storage,
        postal_code="69003",
        title="Recherche entrepôt sec",
        description="Entrepôt sec.",
    )
    sibling = factories.ListingFactory(
        company=other_company,
        kind="need",
        category=cold,
        postal_code="69003",
        title="Chambre froide",
        description="Stockage réfrigéré.",
    )
    before = [s.listing.pk for s in suggestions_for(offer)]
    assert before == [same.pk, sibling.pk]

    crisis = _open(national, categories=[cold.slug])
    assert [s.listing.pk for s in suggestions_for(offer)] == [sibling.pk, same.pk]

    crisis_services.crisis_close(crisis=crisis, by=national)
    assert [s.listing.pk for s in suggestions_for(offer)] == before


# --- Banner ----------------------------------------------------------------------------------


def test_members_of_the_territory_see_the_banner_on_every_page_until_they_hide_it(
    client, company_member, national
):
    crisis = _open(national, message="Pompes et stockage recherchés.")
    client.force_login(company_member)

    for url in (reverse("home"), reverse("listings:search"), reverse("notifications:list")):
        assert "Pompes et stockage recherchés." in client.get(url).content.decode(), url

    hide = client.post(
        reverse("moderation:crisis_banner_hide", args=[crisis.pk]), {"next": "/annonces/"}
    )
    assert hide.status_code == 302 and hide["Location"] == "/annonces/"
    assert "Pompes et stockage" not in client.get(reverse("home")).content.decode()


def test_no_banner_outside_the_territory_for_anonymous_or_once_closed(
    client, other_admin, company_member, national
):
    crisis = _open(national, message="Pompes et stockage recherchés.")
    assert "Pompes" not in client.get(reverse("home")).content.decode()
    client.force_login(other_admin)  # Saint-Étienne (42)
    assert "Pompes" not in client.get(reverse("home")).content.decode()

    client.force_login(company_member)
    assert "Pompes" in client.get(reverse("home")).content.decode()
    crisis_services.crisis_close(crisis=crisis, by=national)
    assert "Pompes" not in client.get(reverse("home")).content.decode()


def test_banner_hide_does_not_redirect_elsewhere(client, national):
    crisis = _open(national)
    response = client.post(
        reverse("moderation:crisis_banner_hide", args=[crisis.pk]),
        {"next": "https://ailleurs.example/"},
    )
    assert response["Location"] == "/"


# --- Lifetime and approval delay ---------------------------------------------------------------


def test_listings_published_or_renewed_during_a_crisis_stay_longer(
    settings, national, moderator_69, company_admin
):
    settings.LISTING_LIFETIME_DAYS = 60
    settings.CRISIS_LISTING_LIFETIME_DAYS = 120
    crisis = _open(national, ["69"])
    lyon = factories.ListingFactory(status="pending", published_at=None, expires_at=None)
    marseille = factories.ListingFactory(
        status="pending", published_at=None, expires_at=None, postal_code="13001"
    )

    for listing in (lyon, marseille):
        listing_approve(listing=listing, by=national)
        listing.refresh_from_db()
    assert (lyon.expires_at - lyon.published_at).days == 120
    assert (marseille.expires_at - marseille.published_at).days == 60

    crisis_services.crisis_close(crisis=crisis, by=national)
    listing_renew(listing=lyon, by=company_admin)
    lyon.refresh_from_db()
    assert (lyon.expires_at - timezone.now()).days in (59, 60)


def test_the_approval_delay_shortens_in_a_crisis(client, settings, moderator_69, national):
    settings.MODERATION_TARGET_HOURS = 24
    settings.CRISIS_MODERATION_TARGET_HOURS = 4
    listing = factories.ListingFactory(status="pending", published_at=None)
    type(listing).objects.filter(pk=listing.pk).update(
        updated_at=timezone.now() - timedelta(hours=5)
    )
    client.force_login(moderator_69)
    assert "délai de" not in client.get(reverse("moderation:listings")).content.decode()

    crisis = _open(national)
    assert "délai de 4 h dépassé" in client.get(reverse("moderation:listings")).content.decode()

    crisis_services.crisis_close(crisis=crisis, by=national)
    assert "délai de" not in client.get(reverse("moderation:listings")).content.decode()


# --- The moderators' pages -------------------------------------------------------------------


def test_moderator_opens_and_closes_a_crisis_from_the_pages(client, moderator_69):
    client.force_login(moderator_69)
    page = client.get(reverse("moderation:crises"))
    assert page.status_code == 200
    assert "Aucune crise en cours" in page.content.decode()

    opened = client.post(
        reverse("moderation:crisis_open"),
        {
            "title": "Incendie zone industrielle",
            "message": "Des entreprises cherchent des locaux.",
            "departements": "69",
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "priority_categories": ["entrepot-sec", "stockage"],
        },
        follow=True,
    )
    text = opened.content.decode()
    assert "Crise « Incendie zone industrielle » ouverte." in text
    crisis = Crisis.objects.get()
    assert crisis.status == "active"
    assert "Clôturer la crise" in text

    dashboard = client.get(reverse("moderation:dashboard")).content.decode()
    assert "Incendie zone industrielle" in dashboard

    closed = client.post(reverse("moderation:crisis_close", args=[crisis.pk]), follow=True)
    assert "Crise « Incendie zone industrielle » clôturée." in closed.content.decode()
    assert Crisis.objects.get().status == "closed"
    assert "Crises passées" in closed.content.decode()


def test_crisis_form_errors_are_shown_in_french_and_nothing_typed_is_lost(client, moderator_69):
    client.force_login(moderator_69)
    response = client.post(
        reverse("moderation:crisis_open"),
        {
            "title": "Tempête",
            "message": "Toitures arrachées.",
            "departements": "69, 42",
            "starts_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Hors de votre territoire : 42." in text
    assert 'value="Tempête"' in text and "Toitures arrachées." in text
    assert not Crisis.objects.exists()


def test_a_scheduled_crisis_is_announced_as_such(client, moderator_69):
    client.force_login(moderator_69)
    start = timezone.localtime() + timedelta(days=1)
    response = client.post(
        reverse("moderation:crisis_open"),
        {
            "title": "Grève des transports",
            "message": "Covoiturage et livraisons.",
            "departements": "69",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "programmée : elle commencera le" in response.content.decode()
    assert Crisis.objects.get().status == "scheduled"


def test_a_shared_crisis_offers_no_close_button_to_a_departemental_moderator(
    client, moderator_69, national
):
    _open(national, ["69", "42"])
    client.force_login(moderator_69)
    text = client.get(reverse("moderation:crises")).content.decode()
    assert "Clôturer la crise" not in text
    assert "un modérateur national la clôture" in text


def test_crisis_close_page_outside_the_territory_is_404(client, moderator_75, national):
    crisis = _open(national, ["69"])
    client.force_login(moderator_75)
    assert client.post(reverse("moderation:crisis_close", args=[crisis.pk])).status_code == 404
    assert Crisis.objects.get().closed_at is None


def test_with_the_cache_down_crises_are_read_from_the_database(
    client, company_member, national, monkeypatch
):
    from django.core.cache import cache

    _open(national, message="Pompes et stockage recherchés.")

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    for name in ("get", "set", "delete"):
        monkeypatch.setattr(cache, name, down)
    client.force_login(company_member)
    assert "Pompes et stockage recherchés." in client.get(reverse("home")).content.decode()
