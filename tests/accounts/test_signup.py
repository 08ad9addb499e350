"""Sign-up for a professional service: names, phone, job title and the terms, on the page and in
the app API; the profile's identity section; French phone numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import User
from accounts.phones import format_phone, normalize_phone
from tests import factories
from tests.commit_hooks import CommittingClient

pytestmark = pytest.mark.django_db

PASSWORD = "Entraide-solide-2026"
APP = "/_allauth/app/v1"


def web_signup(client, **changes):
    data = {
        "email": "claire.martin@transports-martin.fr",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **factories.signup_details(),
    }
    data.update(changes)
    return client.post("/comptes/signup/", {k: v for k, v in data.items() if v is not None})


def app_signup(**changes):
    data = {
        "email": "claire.martin@transports-martin.fr",
        "password": PASSWORD,
        **factories.signup_details(),
    }
    data.update(changes)
    body = {k: v for k, v in data.items() if v is not None}
    return CommittingClient().post(f"{APP}/auth/signup", body, content_type="application/json")


# --- French phone numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("06 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "+33612345678", "06 12 34 56 78"),
        ("0478-11-22-33", "+33478112233", "04 78 11 22 33"),
        ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("0033 1 23 45 67 89", "+33123456789", "01 23 45 67 89"),
        ("0262 12 34 56", "+262262123456", "02 62 12 34 56"),  # Réunion
        ("0696 12 34 56", "+596696123456", "06 96 12 34 56"),  # Martinique, mobile
        ("+262 692 12 34 56", "+262692123456", "06 92 12 34 56"),
        ("+687 12 34 56", "+687123456", "+687 12 34 56"),  # Nouvelle-Calédonie
        ("", "", ""),
    ],
)
def test_french_numbers_are_stored_in_one_form_and_shown_the_french_way(typed, stored, shown):
    assert normalize_phone(typed) == stored
    assert format_phone(stored) == shown


@pytest.mark.parametrize(
    "typed",
    ["12345", "06 12 34 56", "06 12 34 56 78 9", "00 12 34 56 78", "+44 20 7946 0958", "06 12 AB"],
)
def test_other_numbers_are_refused_in_french(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_phone(typed)
    assert "numéro de téléphone français" in caught.value.messages[0]


# --- The sign-up page ----------------------------------------------------------------------------


def test_signup_page_asks_who_you_are_and_explains_the_three_steps():
    html = Client().get("/comptes/signup/").content.decode()
    for name in ("email", "first_name", "last_name", "job_title", "phone", "terms_accepted"):
        assert f'name="{name}"' in html
    assert "Adresse e-mail professionnelle" in html and "Courriel" not in html
    assert "Vérifier votre adresse e-mail" in html
    assert "Déclarer votre entreprise" in html
    assert "Vérification par votre CCI" in html
    assert 'href="/conditions-d-utilisation/"' in html and 'href="/confidentialite/"' in html
    assert 'autocomplete="given-name"' in html and 'type="tel"' in html


def test_signup_page_stores_names_phone_job_title_and_the_terms_accepted(settings):
    response = web_signup(CommittingClient())
    assert response.status_code == 302
    user = User.objects.get(email="claire.martin@transports-martin.fr")
    assert (user.first_name, user.last_name, user.job_title) == ("Claire", "Martin", "Gérante")
    assert user.phone == "+33612345678"
    assert user.terms_version == settings.TERMS_VERSION and user.terms_accepted_at is not None
    assert user.has_accepted_current_terms


def test_signup_page_without_names_nor_terms_says_what_to_correct_and_creates_nothing():
    response = web_signup(Client(), first_name="", last_name="", terms_accepted=None)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-error-summary" in html and "Corrigez les 3 champs suivants" in html
    assert "Indiquez votre prénom." in html and "Indiquez votre nom." in html
    assert "Acceptez les conditions d&#x27;utilisation" in html
    assert 'href="#id_first_name"' in html
    # What was typed stays.
    assert 'value="claire.martin@transports-martin.fr"' in html
    assert not User.objects.exists()


def test_signup_page_refuses_a_foreign_phone_number_in_french():
    response = web_signup(Client(), phone="+44 20 7946 0958")
    assert response.status_code == 200
    assert "Saisissez un numéro de téléphone français" in response.content.decode()
    assert not User.objects.exists()


# --- The app API's sign-up ---------------------------------------------------------------------


def test_app_signup_stores_the_details_and_me_shows_them(settings):
    response = app_signup(phone="+33 4 78 11 22 33", job_title="Responsable logistique")
    assert response.status_code == 401  # the pending verify_email flow: allauth's success
    user = User.objects.get(email="claire.martin@transports-martin.fr")
    assert user.phone == "+33478112233" and user.job_title == "Responsable logistique"
    assert user.has_accepted_current_terms

    user.emailaddress_set.update(verified=True)
    login = Client().post(
        f"{APP}/auth/login",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    token = login.json()["meta"]["session_token"]
    me = Client().get("/api/v1/me/", headers={"X-Session-Token": token})
    body = me.json()
    assert body["first_name"] == "Claire" and body["last_name"] == "Martin"
    assert body["phone"] == "+33478112233" and body["job_title"] == "Responsable logistique"
    assert body["terms_accepted_at"] is not None
    assert body["terms_version"] == settings.TERMS_VERSION


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"terms_accepted": None}, "terms_accepted"),
        ({"terms_accepted": False}, "terms_accepted"),
        ({"first_name": None}, "first_name"),
        ({"last_name": "  "}, "last_name"),
        ({"phone": "0612"}, "phone"),
        ({"first_name": "Claire\u202e"}, "first_name"),
    ],
)
def test_app_signup_answers_400_naming_the_field(changes, field):
    response = app_signup(**changes)
    assert response.status_code == 400
    params = [error.get("param") for error in response.json()["errors"]]
    assert params == [field]
    assert not User.objects.exists()


def test_app_signup_without_phone_nor_job_title_is_fine():
    response = app_signup(phone=None, job_title=None)
    assert response.status_code == 401
    user = User.objects.get()
    assert (user.phone, user.job_title) == ("", "")


# --- /api/v1/me/ -------------------------------------------------------------------------------


def test_patch_me_changes_phone_and_job_title(client_for, user):
    response = client_for(user).patch(
        "/api/v1/me/", {"phone": "04 78 11 22 33", "job_title": "Gérante"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "+33478112233"
    assert response.json()["job_title"] == "Gérante"
    user.refresh_from_db()
    assert (user.phone, user.job_title) == ("+33478112233", "Gérante")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "+1 202 555 0100"}, "phone"),
        ({"first_name": ""}, "first_name"),
        ({"terms_accepted": False}, "terms_accepted"),
        ({"job_title": "a\nb"}, "job_title"),
    ],
)
def test_patch_me_refuses_bad_input_naming_the_field_and_changes_nothing(
    client_for, user, body, field
):
    before = (user.first_name, user.phone, user.job_title)
    response = client_for(user).patch("/api/v1/me/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.job_title) == before


def test_an_app_accepts_the_terms_through_patch_me(client_for, settings):
    user = factories.UserFactory(terms_accepted_at=None, terms_version="")
    client = client_for(user)
    assert client.get("/api/v1/me/").json()["terms_accepted_at"] is None
    response = client.patch("/api/v1/me/", {"terms_accepted": True}, format="json")
    assert response.status_code == 200
    assert response.json()["terms_accepted_at"] is not None
    settings.TERMS_VERSION = "2027-06-01"
    assert client.get("/api/v1/me/").json()["terms_accepted_at"] is None


# --- The account page ----------------------------------------------------------------------------


def test_profile_page_edits_names_phone_and_job_title(user):
    client = Client()
    client.force_login(user)
    response = client.post(
        "/mon-compte/",
        {
            "first_name": "Lucie",
            "last_name": "Morel",
            "job_title": "Responsable des achats",
            "phone": "06 98 76 54 32",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.job_title, user.phone) == (
        "Lucie",
        "Responsable des achats",
        "+33698765432",
    )
    html = client.get("/mon-compte/").content.decode()
    assert 'value="06 98 76 54 32"' in html and 'value="Responsable des achats"' in html


def test_profile_page_refuses_a_bad_phone_and_an_empty_name_in_french(user):
    client = Client()
    client.force_login(user)
    response = client.post(
        "/mon-compte/", {"first_name": "", "last_name": "Morel", "phone": "123", "job_title": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez votre prénom." in html
    assert "Saisissez un numéro de téléphone français" in html
    before = user.first_name
    user.refresh_from_db()
    assert user.first_name == before
