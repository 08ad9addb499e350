"""Services of accounts: companies, memberships, invitations, account deletion."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts import services
from accounts.models import Company, Invitation, Membership, User
from accounts.services import companies
from tests import factories

# La Poste's establishments share the SIREN 356000000; their SIRET digits add up to a multiple of
# 5 instead of passing the Luhn test.
LA_POSTE_SIRET = "35600000012341"


def company_kwargs(**overrides):
    kwargs = {
        "name": "Menuiserie Dupont",
        "siret": factories.make_siret(),
        "address": "4 rue des Artisans",
        "postal_code": "69007",
    }
    kwargs.update(overrides)
    return kwargs


def test_company_create_geocodes_and_makes_the_caller_admin(user):
    company = services.company_create(by=user, **company_kwargs(naf_code="1623z"))

    assert company.status == Company.Status.PENDING
    assert company.siren == company.siret[:9]
    assert company.commune == "Lyon 7e Arrondissement"
    assert company.departement == "69"
    assert 45.7 < company.latitude < 45.8 and 4.8 < company.longitude < 4.9
    assert company.naf_code == "16.23Z"
    membership = Membership.objects.get(user=user)
    assert membership.company == company and membership.is_admin


def test_company_create_accepts_siret_with_spaces(user):
    siret = factories.make_siret()
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    company = services.company_create(by=user, **company_kwargs(siret=spaced))
    assert company.siret == siret


@pytest.mark.parametrize(
    ("siret", "fragment"),
    [
        ("1234567890123", "14 chiffres"),
        ("1234567890123A", "chiffres"),
        ("12345678901234", "n'est pas valide"),
    ],
)
def test_company_create_rejects_bad_siret_in_french(user, siret, fragment):
    with pytest.raises(ValidationError) as excinfo:
        services.company_create(by=user, **company_kwargs(siret=siret))
    assert fragment in excinfo.value.message_dict["siret"][0]
    assert not Company.objects.exists()


def test_la_poste_siret_is_valid_although_not_luhn(user):
    company = services.company_create(by=user, **company_kwargs(siret=LA_POSTE_SIRET))
    assert company.siren == "356000000"


def test_la_poste_siret_with_wrong_digit_sum_is_rejected(user):
    with pytest.raises(ValidationError) as excinfo:
        services.company_create(by=user, **company_kwargs(siret="35600000012342"))
    assert "siret" in excinfo.value.message_dict


def test_unknown_postal_code_is_rejected_with_the_siret_error_too(user):
    with pytest.raises(ValidationError) as excinfo:
        services.company_create(
            by=user, **company_kwargs(postal_code="00000", siret="12345678901234")
        )
    errors = excinfo.value.message_dict
    assert "Code postal inconnu" in errors["postal_code"][0]
    assert "siret" in errors


def test_duplicate_siret_is_a_validation_error(user, company):
    with pytest.raises(ValidationError) as excinfo:
        services.company_create(by=user, **company_kwargs(siret=company.siret))
    assert "déjà inscrite" in excinfo.value.message_dict["siret"][0]


def test_lost_race_on_siret_becomes_the_same_validation_error(user, company, monkeypatch):
    # The early check passes (as if the other company were not committed yet), the constraint
    # company_unique_siret then fires.
    monkeypatch.setattr(companies, "_check_siret_free", lambda siret, exclude_pk=None: None)
    with pytest.raises(ValidationError) as excinfo:
        services.company_create(by=user, **company_kwargs(siret=company.siret))
    assert "déjà inscrite" in excinfo.value.message_dict["siret"][0]
    assert not Membership.objects.filter(user=user).exists()


def test_unique_siret_constraint_is_in_the_database(company):
    with pytest.raises(IntegrityError):
        factories.CompanyFactory(name="Copie", siret=company.siret)


def test_member_of_a_company_cannot_create_another(company_member):
    with pytest.raises(ValidationError) as excinfo:
        services.company_create(by=company_member, **company_kwargs())
    assert "déjà membre" in excinfo.value.message_dict["non_field_errors"][0]


def test_bad_naf_code_is_rejected(user):
    with pytest.raises(ValidationError) as excinfo:
        services.company_create(by=user, **company_kwargs(naf_code="ABCDE"))
    assert "naf_code" in excinfo.value.message_dict


def test_renaming_a_verified_company_sends_it_back_to_pending(company, company_admin):
    updated = services.company_update(company=company, by=company_admin, name="Nouveau nom")
    assert updated.status == Company.Status.PENDING
    assert Company.objects.get(pk=company.pk).name == "Nouveau nom"


def test_new_siret_sends_a_verified_company_back_to_pending(company, company_admin):
    new_siret = factories.make_siret()
    updated = services.company_update(company=company, by=company_admin, siret=new_siret)
    assert updated.status == Company.Status.PENDING
    assert updated.siren == new_siret[:9]


def test_other_changes_keep_the_company_verified(company, company_admin):
    updated = services.company_update(
        company=company,
        by=company_admin,
        phone="04 72 00 00 00",
        postal_code="42000",
        name=company.name,
    )
    assert updated.status == Company.Status.VERIFIED
    assert updated.commune == "Saint-Étienne" and updated.departement == "42"


def test_update_to_a_taken_siret_is_rejected(company, company_admin, other_company):
    with pytest.raises(ValidationError) as excinfo:
        services.company_update(company=company, by=company_admin, siret=other_company.siret)
    assert "siret" in excinfo.value.message_dict


def test_last_admin_cannot_be_removed(company, company_admin, company_member):
    admin_membership = company_admin.membership
    with pytest.raises(ValidationError):
        services.membership_remove(membership=admin_membership, by=company_admin)
    services.membership_remove(membership=company_member.membership, by=company_admin)
    assert list(company.memberships.all()) == [admin_membership]


def test_an_admin_can_go_once_another_admin_exists(company, company_admin, company_member):
    services.membership_set_role(
        membership=company_member.membership, role=Membership.Role.ADMIN, by=company_admin
    )
    services.membership_remove(membership=company_admin.membership, by=company_admin)
    assert company.memberships.get().user == company_member


def test_last_admin_cannot_step_down(company, company_admin):
    with pytest.raises(ValidationError):
        services.membership_set_role(
            membership=company_admin.membership, role=Membership.Role.MEMBER, by=company_admin
        )


def test_invitation_sends_an_email_with_the_link(
    company, company_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            company=company, by=company_admin, email="Collegue@Exemple.fr"
        )
    assert invitation.email == "collegue@exemple.fr"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["collegue@exemple.fr"]
    assert company.name in message.subject
    assert f"/invitations/{invitation.token}/" in message.body


def test_no_email_when_the_invitation_rolls_back(company, company_admin):
    # Outside django_capture_on_commit_callbacks the test transaction never commits.
    services.invitation_create(company=company, by=company_admin, email="a@exemple.fr")
    assert mail.outbox == []


def test_second_open_invitation_to_the_same_email_is_rejected(company, company_admin):
    services.invitation_create(company=company, by=company_admin, email="a@exemple.fr")
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_create(company=company, by=company_admin, email="A@exemple.fr")
    assert "déjà en attente" in excinfo.value.message_dict["email"][0]


def test_inviting_a_member_is_rejected(company, company_admin, company_member):
    with pytest.raises(ValidationError):
        services.invitation_create(company=company, by=company_admin, email=company_member.email)


def test_invitee_with_the_verified_email_joins_as_member(company, company_admin):
    invitation = services.invitation_create(
        company=company, by=company_admin, email="nouveau@exemple.fr"
    )
    invitee = factories.UserFactory(email="nouveau@exemple.fr")
    membership = services.invitation_accept(invitation=invitation, user=invitee)
    assert membership.company == company and membership.role == Membership.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=invitee)


def test_invitation_cannot_be_accepted_with_an_unverified_email(company, company_admin):
    invitation = services.invitation_create(
        company=company, by=company_admin, email="nouveau@exemple.fr"
    )
    invitee = factories.UserFactory(email="nouveau@exemple.fr", verified_email=False)
    EmailAddress.objects.create(user=invitee, email=invitee.email, verified=False, primary=True)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=invitee)
    assert not Membership.objects.filter(user=invitee).exists()


def test_invitee_already_in_a_company_cannot_accept(company, company_admin, other_admin):
    invitation = services.invitation_create(
        company=company, by=company_admin, email=other_admin.email
    )
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(invitation=invitation, user=other_admin)
    assert "déjà membre" in excinfo.value.messages[0]


def test_revoked_invitation_cannot_be_accepted(company, company_admin):
    invitation = services.invitation_create(
        company=company, by=company_admin, email="nouveau@exemple.fr"
    )
    services.invitation_revoke(invitation=invitation, by=company_admin)
    invitee = factories.UserFactory(email="nouveau@exemple.fr")
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=invitee)


def test_user_delete_promotes_the_oldest_member(company, company_admin):
    oldest = factories.MembershipFactory(company=company, role=Membership.Role.MEMBER).user
    factories.MembershipFactory(company=company, role=Membership.Role.MEMBER)
    services.user_delete(user=company_admin)

    assert not User.objects.filter(pk=company_admin.pk).exists()
    assert not EmailAddress.objects.filter(email=company_admin.email).exists()
    assert Membership.objects.get(user=oldest).role == Membership.Role.ADMIN
    assert company.memberships.count() == 2


def test_user_delete_revokes_invitations_sent_to_the_user(company, company_admin):
    invitee = factories.UserFactory()
    invitation = services.invitation_create(company=company, by=company_admin, email=invitee.email)
    services.user_delete(user=invitee)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_user_update_changes_only_given_fields(user):
    services.user_update(user=user, first_name=" Jeanne ", phone="06 00 00 00 00")
    user.refresh_from_db()
    assert user.first_name == "Jeanne" and user.phone == "+33600000000"
    assert user.last_name != ""


def test_correcting_a_rejected_company_sends_it_back_to_review(company, company_admin):
    Company.objects.filter(pk=company.pk).update(
        status=Company.Status.REJECTED, status_reason="SIRET fermé"
    )
    company.refresh_from_db()
    updated = services.company_update(company=company, by=company_admin, address="2 rue Neuve")
    assert (updated.status, updated.status_reason) == (Company.Status.PENDING, "")


def test_suspended_company_stays_suspended_when_edited(company, company_admin):
    Company.objects.filter(pk=company.pk).update(status=Company.Status.SUSPENDED)
    company.refresh_from_db()
    updated = services.company_update(company=company, by=company_admin, name="Autre nom")
    assert updated.status == Company.Status.SUSPENDED
