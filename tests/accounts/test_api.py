"""/api/v1/me/ and the companies, members and invitations endpoints."""

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Company, Invitation, Membership, User
from bourse.geo import data as geo
from tests import factories

pytestmark = pytest.mark.django_db


def new_company_payload(**overrides):
    payload = {
        "name": "Transports Martin",
        "siret": factories.make_siret(),
        "address": "10 quai Rambaud",
        "postal_code": "69002",
        "phone": "04 78 00 00 00",
        "website": "https://transports-martin.fr",
        "description": "Transport routier, 12 camions.",
        "naf_code": "49.41A",
    }
    payload.update(overrides)
    return payload


# --- /api/v1/me/ -------------------------------------------------------------------------------


def test_me_requires_authentication(api_client):
    assert api_client.get("/api/v1/me/").status_code == 401
    assert api_client.get("/api/v1/me/export/").status_code == 401
    assert api_client.delete("/api/v1/me/").status_code == 401


def test_me_without_company(client_for, user):
    response = client_for(user).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": "",
        "job_title": "",
        "terms_accepted_at": timezone.localtime(user.terms_accepted_at).isoformat(),
        "terms_version": settings.TERMS_VERSION,
        "company": None,
        "is_moderator": False,
        "moderated_departements": [],
    }


def test_me_with_company_and_role(client_for, company, company_admin):
    data = client_for(company_admin).get("/api/v1/me/").json()
    assert data["company"] == {
        "id": company.pk,
        "name": company.name,
        "status": "verified",
        "role": "admin",
    }


def test_me_of_a_territorial_moderator(client_for, moderator):
    data = client_for(moderator).get("/api/v1/me/").json()
    assert data["is_moderator"] is True
    assert data["moderated_departements"] == ["42", "69"]


def test_national_moderator_covers_every_departement(client_for, national_moderator):
    data = client_for(national_moderator).get("/api/v1/me/").json()
    assert data["is_moderator"] is True
    assert data["moderated_departements"] == sorted(geo.departements())
    assert {"69", "2A", "974"} <= set(data["moderated_departements"])


def test_me_patch_updates_names(client_for, user):
    response = client_for(user).patch(
        "/api/v1/me/", {"first_name": "Amélie", "last_name": "Roux", "email": "x@y.fr"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Amélie", "Roux")
    assert user.email != "x@y.fr"


def test_me_export_holds_personal_data(client_for, company, company_admin):
    factories.ModeratorFactory(user=company_admin, departements=["69"])
    client = client_for(company_admin)
    client.post(f"/api/v1/companies/{company.pk}/invitations/", {"email": "x@exemple.fr"})
    response = client.get("/api/v1/me/export/")
    assert response.status_code == 200
    data = response.json()
    assert data["user"]["email"] == company_admin.email
    assert data["user"]["last_name"] == company_admin.last_name
    assert data["email_addresses"] == [
        {"email": company_admin.email, "verified": True, "primary": True}
    ]
    assert data["membership"]["company"] == {"id": company.pk, "name": company.name}
    assert data["membership"]["role"] == "admin"
    assert [i["email"] for i in data["invitations_sent"]] == ["x@exemple.fr"]
    assert data["moderator"]["departements"] == ["69"]
    assert isinstance(data["messages_sent"], list)
    assert "attachment" in response["Content-Disposition"]


def test_me_delete_removes_the_account(
    reauthenticated_client_for, company, company_admin, company_member
):
    response = reauthenticated_client_for(company_admin).delete("/api/v1/me/")
    assert response.status_code == 204
    assert not User.objects.filter(pk=company_admin.pk).exists()
    # The remaining member now runs the company.
    assert Membership.objects.get(user=company_member).role == Membership.Role.ADMIN


# --- Companies ---------------------------------------------------------------------------------


def test_create_company_requires_authentication(api_client):
    response = api_client.post("/api/v1/companies/", new_company_payload())
    assert response.status_code == 401


def test_create_company(client_for, user):
    payload = new_company_payload()
    response = client_for(user).post("/api/v1/companies/", payload)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending"
    assert data["siret"] == payload["siret"]
    assert data["siren"] == payload["siret"][:9]
    assert data["postal_code"] == "69002"
    assert data["commune"] == "Lyon 2e Arrondissement"
    assert data["departement"] == "69"
    assert isinstance(data["latitude"], float) and isinstance(data["longitude"], float)
    assert data["phone"] == "+33478000000"  # "04 78 00 00 00" stored E.164
    company = Company.objects.get(pk=data["id"])
    assert Membership.objects.get(user=user).company == company
    assert client_for(user).get("/api/v1/me/").json()["company"]["role"] == "admin"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"siret": "12345678901234"}, "siret"),
        ({"siret": "123"}, "siret"),
        ({"siret": "00000000000000"}, "siret"),  # the checksum passes; no such company
        ({"siret": "00000000012344"}, "siret"),  # SIREN of zeros
        ({"siret": "73282935300000"}, "siret"),  # NIC of zeros
        ({"postal_code": "99999"}, "postal_code"),
        ({"name": ""}, "name"),
        ({"website": "pas une adresse"}, "website"),
        ({"naf_code": "XX"}, "naf_code"),
    ],
)
def test_create_company_bad_input_names_the_field(client_for, user, override, field):
    response = client_for(user).post("/api/v1/companies/", new_company_payload(**override))
    assert response.status_code == 400
    assert field in response.json()
    assert not Company.objects.exists()


def test_create_company_with_la_poste_siret(client_for, user):
    response = client_for(user).post(
        "/api/v1/companies/", new_company_payload(siret="35600000012341")
    )
    assert response.status_code == 201
    assert response.json()["siren"] == "356000000"


def test_create_company_with_registered_siret(client_for, user, company):
    response = client_for(user).post("/api/v1/companies/", new_company_payload(siret=company.siret))
    assert response.status_code == 400
    assert "déjà inscrite" in response.json()["siret"][0]


def test_create_company_when_already_member(client_for, company_member):
    response = client_for(company_member).post("/api/v1/companies/", new_company_payload())
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_verified_company_profile_is_public_without_contact(api_client, company, company_admin):
    response = api_client.get(f"/api/v1/companies/{company.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == company.name and data["status"] == "verified"
    assert data["contact_details_visible"] is False
    for hidden in ("phone", "website", "address", "members", "status_reason"):
        assert hidden not in data


def test_pending_company_member_sees_contact_but_not_other_pending(client_for, company, user):
    pending = factories.CompanyFactory(status=Company.Status.PENDING)
    pending_member = factories.MembershipFactory(company=pending).user
    data = client_for(pending_member).get(f"/api/v1/companies/{pending.pk}/").json()
    assert data["contact_details_visible"] is True
    assert data["members"][0]["email"] == pending_member.email
    # A member of a pending company is not yet trusted with others' contact details.
    data = client_for(pending_member).get(f"/api/v1/companies/{company.pk}/").json()
    assert data["contact_details_visible"] is False


def test_verified_company_member_sees_contact_details(client_for, company, other_admin):
    company.phone = "04 00 00 00 00"
    company.save()
    data = client_for(other_admin).get(f"/api/v1/companies/{company.pk}/").json()
    assert data["contact_details_visible"] is True
    assert data["phone"] == "04 00 00 00 00"


def test_members_and_their_emails_only_where_the_member_list_is(
    client_for, company, company_admin, other_admin, moderator
):
    """Contact details are for every verified member; names and e-mails of the people only for
    those /members/ answers (the company's members, moderators of its territory)."""
    url = f"/api/v1/companies/{company.pk}/"
    outsider = client_for(other_admin)
    data = outsider.get(url).json()
    assert data["contact_details_visible"] is True
    assert "members" not in data and company_admin.email not in str(data)
    assert outsider.get(url + "members/").status_code == 403
    for insider in (company_admin, moderator):
        data = client_for(insider).get(url).json()
        assert [m["email"] for m in data["members"]] == [company_admin.email]
        assert client_for(insider).get(url + "members/").status_code == 200


def test_pending_company_is_hidden_from_outsiders(api_client, client_for, other_admin, user):
    pending = factories.CompanyFactory(status=Company.Status.PENDING)
    url = f"/api/v1/companies/{pending.pk}/"
    assert api_client.get(url).status_code == 404
    assert client_for(other_admin).get(url).status_code == 404
    assert client_for(user).get(url).status_code == 404


def test_pending_company_is_visible_to_moderators_of_its_territory(client_for, moderator):
    in_territory = factories.CompanyFactory(status=Company.Status.PENDING, postal_code="42000")
    outside = factories.CompanyFactory(status=Company.Status.PENDING, postal_code="13001")
    client = client_for(moderator)
    data = client.get(f"/api/v1/companies/{in_territory.pk}/").json()
    assert data["contact_details_visible"] is True
    assert client.get(f"/api/v1/companies/{outside.pk}/").status_code == 404


def test_company_list_shows_verified_companies_in_few_queries(
    api_client, django_assert_num_queries
):
    for postal_code in ("69002", "42000", "13001", "76000"):
        factories.MembershipFactory(company=factories.CompanyFactory(postal_code=postal_code))
    factories.CompanyFactory(status=Company.Status.PENDING)
    with django_assert_num_queries(2):  # count + page
        response = api_client.get("/api/v1/companies/")
    data = response.json()
    assert data["count"] == 4
    assert {c["member_count"] for c in data["results"]} == {1}
    assert api_client.get("/api/v1/companies/?departement=42").json()["count"] == 1


def test_patch_company_by_admin(client_for, company, company_admin):
    response = client_for(company_admin).patch(
        f"/api/v1/companies/{company.pk}/", {"description": "Nouvelle présentation"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "verified"
    assert Company.objects.get(pk=company.pk).description == "Nouvelle présentation"


def test_patch_name_sends_verified_company_back_to_pending(client_for, company, company_admin):
    response = client_for(company_admin).patch(
        f"/api/v1/companies/{company.pk}/", {"name": "Nouveau nom SARL"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "pending"


def test_patch_company_bad_postal_code(client_for, company, company_admin):
    response = client_for(company_admin).patch(
        f"/api/v1/companies/{company.pk}/", {"postal_code": "00000"}
    )
    assert response.status_code == 400
    assert "postal_code" in response.json()


def test_patch_company_forbidden_paths(
    api_client, client_for, company, company_member, other_admin
):
    url = f"/api/v1/companies/{company.pk}/"
    assert api_client.patch(url, {"name": "x"}).status_code == 401
    assert client_for(company_member).patch(url, {"name": "x"}).status_code == 403
    assert client_for(other_admin).patch(url, {"name": "x"}).status_code == 403
    pending = factories.CompanyFactory(status=Company.Status.PENDING)
    assert client_for(other_admin).patch(f"/api/v1/companies/{pending.pk}/", {}).status_code == 404
    assert Company.objects.get(pk=company.pk).name == company.name


# --- Members -----------------------------------------------------------------------------------


def test_members_list_for_members_in_few_queries(
    client_for, company, company_admin, django_assert_max_num_queries
):
    for _ in range(5):
        factories.MembershipFactory(company=company, role=Membership.Role.MEMBER)
    client = client_for(company_admin)
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/v1/companies/{company.pk}/members/")
    data = response.json()
    assert data["count"] == 6
    assert data["results"][0]["role"] == "admin"
    assert {"id", "name", "email"} == set(data["results"][0]["user"])


def test_members_list_forbidden_paths(api_client, client_for, company, other_admin):
    url = f"/api/v1/companies/{company.pk}/members/"
    assert api_client.get(url).status_code == 401
    assert client_for(other_admin).get(url).status_code == 403


def test_admin_removes_a_member(client_for, company, company_admin, company_member):
    membership = company_member.membership
    url = f"/api/v1/companies/{company.pk}/members/{membership.pk}/"
    assert client_for(company_admin).delete(url).status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_member_cannot_remove_another_but_can_leave(client_for, company, company_admin):
    member = factories.MembershipFactory(company=company, role=Membership.Role.MEMBER)
    other = factories.MembershipFactory(company=company, role=Membership.Role.MEMBER)
    client = client_for(member.user)
    base = f"/api/v1/companies/{company.pk}/members/"
    assert client.delete(f"{base}{other.pk}/").status_code == 403
    assert client.delete(f"{base}{company_admin.membership.pk}/").status_code == 403
    assert client.delete(f"{base}{member.pk}/").status_code == 204


def test_last_admin_cannot_be_removed_over_the_api(
    client_for, company, company_admin, company_member
):
    url = f"/api/v1/companies/{company.pk}/members/{company_admin.membership.pk}/"
    response = client_for(company_admin).delete(url)
    assert response.status_code == 400
    assert "administrateur" in response.json()["non_field_errors"][0]


def test_outsider_cannot_remove_members(client_for, company, company_admin, other_admin):
    url = f"/api/v1/companies/{company.pk}/members/{company_admin.membership.pk}/"
    assert client_for(other_admin).delete(url).status_code == 403


def test_admin_promotes_a_member(client_for, company, company_admin, company_member):
    url = f"/api/v1/companies/{company.pk}/members/{company_member.membership.pk}/"
    response = client_for(company_admin).patch(url, {"role": "admin"})
    assert response.status_code == 200
    assert Membership.objects.get(user=company_member).role == "admin"
    # Now an admin too (a fresh object: force_authenticate keeps the one it is given).
    promoted = User.objects.get(pk=company_member.pk)
    assert client_for(promoted).patch(url, {"role": "member"}).status_code == 200


# --- Invitations -------------------------------------------------------------------------------


def test_admin_invites_by_email(
    client_for, company, company_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(company_admin).post(
            f"/api/v1/companies/{company.pk}/invitations/", {"email": "collegue@exemple.fr"}
        )
    assert response.status_code == 201
    data = response.json()
    assert data["email"] == "collegue@exemple.fr"
    assert "token" not in data
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["collegue@exemple.fr"]


def test_invitation_forbidden_paths(api_client, client_for, company, company_member, other_admin):
    url = f"/api/v1/companies/{company.pk}/invitations/"
    payload = {"email": "x@exemple.fr"}
    assert api_client.post(url, payload).status_code == 401
    assert client_for(company_member).post(url, payload).status_code == 403
    assert client_for(other_admin).post(url, payload).status_code == 403
    assert client_for(company_member).get(url).status_code == 403
    assert not Invitation.objects.exists()


def test_invitation_bad_email(client_for, company, company_admin):
    response = client_for(company_admin).post(
        f"/api/v1/companies/{company.pk}/invitations/", {"email": "pas-un-email"}
    )
    assert response.status_code == 400
    assert "email" in response.json()


def test_invitations_list_and_revoke(
    client_for, company, company_admin, django_assert_max_num_queries
):
    client = client_for(company_admin)
    for i in range(4):
        client.post(f"/api/v1/companies/{company.pk}/invitations/", {"email": f"p{i}@exemple.fr"})
    with django_assert_max_num_queries(6):
        data = client.get(f"/api/v1/companies/{company.pk}/invitations/").json()
    assert data["count"] == 4
    invitation_id = data["results"][0]["id"]
    url = f"/api/v1/companies/{company.pk}/invitations/{invitation_id}/"
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    assert client.get(f"/api/v1/companies/{company.pk}/invitations/").json()["count"] == 3


def test_invitee_sees_and_accepts_the_invitation(client_for, company, company_admin):
    client_for(company_admin).post(
        f"/api/v1/companies/{company.pk}/invitations/", {"email": "nouveau@exemple.fr"}
    )
    invitee = factories.UserFactory(email="nouveau@exemple.fr")
    client = client_for(invitee)
    pending = client.get("/api/v1/invitations/").json()
    assert pending["count"] == 1
    assert pending["results"][0]["company"] == {"id": company.pk, "name": company.name}
    token = pending["results"][0]["token"]
    response = client.post(f"/api/v1/invitations/{token}/accept/")
    assert response.status_code == 200
    assert response.json()["company"]["role"] == "member"
    assert client.get("/api/v1/invitations/").json()["count"] == 0


def test_someone_else_cannot_accept_an_invitation(client_for, company, company_admin, user):
    client_for(company_admin).post(
        f"/api/v1/companies/{company.pk}/invitations/", {"email": "nouveau@exemple.fr"}
    )
    token = Invitation.objects.get().token
    assert client_for(user).post(f"/api/v1/invitations/{token}/accept/").status_code == 404
    assert client_for(user).post("/api/v1/invitations/nope/accept/").status_code == 404
    assert not Membership.objects.filter(user=user).exists()


def test_invitation_accept_requires_authentication(api_client):
    assert api_client.post("/api/v1/invitations/abc/accept/").status_code == 401
    assert api_client.get("/api/v1/invitations/").status_code == 401


def test_my_invitations_list_in_few_queries(client_for, django_assert_max_num_queries):
    invitee = factories.UserFactory(email="multi@exemple.fr")
    for _ in range(4):
        company = factories.CompanyFactory()
        inviter = factories.MembershipFactory(company=company).user
        client_for(inviter).post(
            f"/api/v1/companies/{company.pk}/invitations/", {"email": "multi@exemple.fr"}
        )
    client = client_for(invitee)
    with django_assert_max_num_queries(3):  # verified e-mails, count, page with companies
        data = client.get("/api/v1/invitations/").json()
    assert data["count"] == 4
    assert all(item["invited_by"] for item in data["results"])
