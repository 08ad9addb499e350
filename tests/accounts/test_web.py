"""French web pages: allauth's sign-up and sign-in in our layout, account and company pages."""

import json
import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Company, Invitation, Membership, User
from tests import factories
from tests.commit_hooks import CommittingClient

pytestmark = pytest.mark.django_db

PASSWORD = "Entraide-solide-2026"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signup_page_is_in_french_inside_the_layout():
    response = Client().get("/comptes/signup/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Créer un compte" in html and "Courriel" not in html
    assert "Mot de passe" in html
    assert 'class="site-header"' in html
    assert "auth-main" in html
    assert "Créer mon compte" in html and "conditions d'utilisation" in html


def test_login_and_password_reset_pages_are_in_french():
    html = Client().get("/comptes/login/").content.decode()
    assert "Se connecter" in html and "Mot de passe oublié" in html and "Courriel" not in html
    html = Client().get("/comptes/password/reset/").content.decode()
    assert "Réinitialisation du mot de passe" in html or "mot de passe" in html.lower()


def test_web_signup_with_code_verification_logs_in(django_capture_on_commit_callbacks):
    client = CommittingClient()
    response = client.post(
        "/comptes/signup/",
        {
            "email": "web@entreprise.fr",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **factories.signup_details(),
        },
    )
    assert response.status_code == 302
    code_page = response["Location"]
    html = client.get(code_page).content.decode()
    assert "code" in html.lower()
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    assert "Bourse d'entraide" in mail.outbox[-1].subject

    response = client.post(code_page, {"code": "AAAA-AAAA"})
    assert response.status_code == 200  # stays on the page with an error
    response = client.post(code_page, {"code": code})
    assert response["Location"] == "/entreprise/"
    assert client.get("/entreprise/")["Location"] == "/entreprise/declarer/"
    assert client.get("/mon-compte/").status_code == 200
    assert User.objects.get(email="web@entreprise.fr").emailaddress_set.get().verified


def test_web_signup_with_mismatched_passwords_shows_french_error():
    response = Client().post(
        "/comptes/signup/",
        {"email": "web@entreprise.fr", "password1": PASSWORD, "password2": PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert "mot de passe" in response.content.decode().lower()
    assert not User.objects.filter(email="web@entreprise.fr").exists()


def test_account_pages_require_login():
    client = Client()
    for url in ("/mon-compte/", "/entreprise/", "/entreprise/declarer/", "/mon-compte/export/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/comptes/login/")


def test_company_create_page_shows_french_errors_and_keeps_input(user):
    client = logged_in(user)
    response = client.get("/entreprise/declarer/")
    assert response.status_code == 200
    assert "data-postal-autocomplete" in response.content.decode()
    assert "js/postal-code.js" in response.content.decode()

    response = client.post(
        "/entreprise/declarer/",
        {
            "name": "Boulangerie Perret",
            "siret": "12345678901234",
            "address": "1 place Bellecour",
            "postal_code": "00000",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ce SIRET n&#x27;est pas valide" in html
    assert "Code postal inconnu" in html
    assert 'value="Boulangerie Perret"' in html
    assert not Company.objects.exists()


def test_company_create_page_rejects_a_registered_siret(user, company):
    response = logged_in(user).post(
        "/entreprise/declarer/",
        {"name": "Autre", "siret": company.siret, "address": "x", "postal_code": "69001"},
    )
    assert "déjà inscrite" in response.content.decode()


def test_company_create_page_creates_and_redirects(user):
    siret = factories.make_siret()
    client = logged_in(user)
    response = client.post(
        "/entreprise/declarer/",
        {
            "name": "Boulangerie Perret",
            "siret": siret,
            "address": "1 place Bellecour",
            "postal_code": "69002",
            "website": "boulangerie-perret.fr",
        },
    )
    assert response.status_code == 302
    company = Company.objects.get(siret=siret)
    assert company.website == "https://boulangerie-perret.fr"
    html = client.get("/entreprise/").content.decode()
    assert "Boulangerie Perret" in html and "attend la vérification" in html
    # Already a member: the form sends back to the company page.
    assert client.get("/entreprise/declarer/")["Location"] == "/entreprise/"


def test_company_page_without_company_redirects_to_the_form(user):
    assert logged_in(user).get("/entreprise/")["Location"] == "/entreprise/declarer/"


def test_admin_edits_and_renaming_needs_a_new_check(company, company_admin):
    client = logged_in(company_admin)
    assert client.get("/entreprise/modifier/").status_code == 200
    data = {
        "name": "Nouveau nom",
        "siret": company.siret,
        "address": company.address,
        "postal_code": company.postal_code,
    }
    response = client.post("/entreprise/modifier/", data, follow=True)
    assert "repasse en vérification" in response.content.decode()
    assert Company.objects.get(pk=company.pk).status == Company.Status.PENDING


def test_member_cannot_edit_the_company(company, company_member):
    assert logged_in(company_member).get("/entreprise/modifier/").status_code == 403


def test_admin_invites_from_the_company_page(
    company, company_admin, django_capture_on_commit_callbacks
):
    client = logged_in(company_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/entreprise/inviter/", {"email": "collegue@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    html = client.get("/entreprise/").content.decode()
    assert "collegue@exemple.fr" in html
    # A bad address is shown back with a French message, the page is not lost.
    response = client.post("/entreprise/inviter/", {"email": "collegue@exemple.fr"})
    assert response.status_code == 200
    assert "déjà en attente" in response.content.decode()


def test_member_cannot_invite(company, company_member):
    response = logged_in(company_member).post("/entreprise/inviter/", {"email": "x@exemple.fr"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_invitee_signs_up_and_joins_from_the_email_link(
    company, company_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(company_admin).post("/entreprise/inviter/", {"email": "nouveau@exemple.fr"})
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]

    client = CommittingClient()
    html = client.get(path).content.decode()
    assert company.name in html and "Créer mon compte" in html

    response = client.post(
        "/comptes/signup/",
        {
            "email": "nouveau@exemple.fr",
            "password1": PASSWORD,
            "password2": PASSWORD,
            **factories.signup_details(),
        },
    )
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    response = client.post(response["Location"], {"code": code})
    # Verified and logged in: "my company" leads them to the invitation.
    assert response["Location"] == "/entreprise/"
    assert client.get("/entreprise/")["Location"] == path
    html = client.get(path).content.decode()
    assert "Accepter" in html
    response = client.post(path)
    assert response["Location"] == "/entreprise/"
    membership = Membership.objects.get(user__email="nouveau@exemple.fr")
    assert membership.company == company and membership.role == "member"


def test_invitation_page_refuses_another_account(company, company_admin, user):
    invitation = factories.InvitationFactory(company=company, email="x@exemple.fr")
    client = logged_in(user)
    html = client.get(f"/invitations/{invitation.token}/").content.decode()
    assert "adressée à x@exemple.fr" in html
    client.post(f"/invitations/{invitation.token}/")
    assert not Membership.objects.filter(user=user).exists()


def test_admin_removes_a_member_but_not_the_last_admin(company, company_admin, company_member):
    client = logged_in(company_admin)
    response = client.post(
        f"/entreprise/membres/{company_admin.membership.pk}/retirer/", follow=True
    )
    assert "au moins un administrateur" in response.content.decode()
    client.post(f"/entreprise/membres/{company_member.membership.pk}/retirer/")
    assert not Membership.objects.filter(user=company_member).exists()


def test_member_cannot_remove_the_admin(company, company_admin, company_member):
    response = logged_in(company_member).post(
        f"/entreprise/membres/{company_admin.membership.pk}/retirer/"
    )
    assert response.status_code == 403


def test_public_company_page(company, company_admin, other_admin):
    company.phone = "04 11 22 33 44"
    company.save()
    html = Client().get(f"/entreprises/{company.pk}/").content.decode()
    assert company.name in html and "04 11 22 33 44" not in html
    html = logged_in(other_admin).get(f"/entreprises/{company.pk}/").content.decode()
    # Another verified company sees the contact details, not the people (as /members/ does).
    assert "04 11 22 33 44" in html and company_admin.email not in html
    html = logged_in(company_admin).get(f"/entreprises/{company.pk}/").content.decode()
    assert company_admin.email in html


def test_pending_company_page_is_404_for_outsiders(other_admin):
    pending = factories.CompanyFactory(status=Company.Status.PENDING)
    assert Client().get(f"/entreprises/{pending.pk}/").status_code == 404
    assert logged_in(other_admin).get(f"/entreprises/{pending.pk}/").status_code == 404


def test_profile_edit_export_and_delete(company, company_admin):
    client = logged_in(company_admin)
    html = client.get("/mon-compte/").content.decode()
    assert "Mon compte" in html and "Télécharger mes données" in html
    client.post("/mon-compte/", {"first_name": "Lucie", "last_name": "Morel", "phone": ""})
    assert User.objects.get(pk=company_admin.pk).first_name == "Lucie"

    response = client.get("/mon-compte/export/")
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["user"]["first_name"] == "Lucie"

    client.post("/comptes/reauthenticate/", {"password": factories.PASSWORD})
    response = client.post("/mon-compte/supprimer/", {})
    assert response.status_code == 200
    assert "Cochez la case" in response.content.decode()
    assert User.objects.filter(pk=company_admin.pk).exists()
    response = client.post("/mon-compte/supprimer/", {"confirm": "on"})
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=company_admin.pk).exists()
    assert client.get("/mon-compte/").status_code == 302


def test_login_with_a_pending_invitation_lands_on_it(company, company_admin):
    invitee = factories.UserFactory()
    invitation = factories.InvitationFactory(company=company, email=invitee.email)
    response = Client().post(
        "/comptes/login/", {"login": invitee.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == f"/invitations/{invitation.token}/"


def test_login_without_invitation_goes_home(user):
    response = Client().post(
        "/comptes/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == "/"


def test_password_reset_by_email_link(user):
    client = CommittingClient()
    response = client.post("/comptes/password/reset/", {"email": user.email})
    assert response.status_code == 302
    link = re.search(r"https?://\S+/comptes/password/reset/key/\S+/", mail.outbox[-1].body)
    path = "/" + link.group(0).split("/", 3)[3]
    response = client.get(path)  # allauth moves the key into the session, then redirects
    page = client.get(response["Location"]) if response.status_code == 302 else response
    assert "Nouveau mot de passe" in page.content.decode()
    new_password = "Un-nouveau-mot-2026"
    response = client.post(
        response["Location"] if response.status_code == 302 else path,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert Client().login(email=user.email, password=new_password)
