"""`manage.py create_moderator`: create, promote, update; refuse unknown départements."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from accounts.models import Moderator, User
from bourse.moderation.services import moderator_create
from tests import factories

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("create_moderator", *args, stdout=out)
    return out.getvalue()


def test_creates_the_user_with_a_printed_password_that_works():
    output = run("Conseiller@CCI-Lyon.fr", "--departements", "69, 42")

    user = User.objects.get(email="conseiller@cci-lyon.fr")
    password = output.split("Password: ")[1].strip()
    assert user.check_password(password)
    assert EmailAddress.objects.get(user=user).verified
    assert user.moderator.departements == ["42", "69"]
    assert not user.moderator.is_national
    assert "Created moderator conseiller@cci-lyon.fr (42, 69)" in output


def test_accepts_a_given_password_and_prints_none():
    output = run("cci@example.fr", "--national", "--password", "un-mot-de-passe-long")

    assert "Password" not in output
    user = User.objects.get(email="cci@example.fr")
    assert user.check_password("un-mot-de-passe-long")
    assert user.moderator.is_national


def test_promotes_an_existing_user_without_touching_their_password():
    user = factories.UserFactory()

    output = run(user.email, "--departements", "2a,971")

    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)
    assert user.moderator.departements == ["2A", "971"]
    assert "Updated moderator" in output and "Password" not in output


def test_is_idempotent_and_updates_the_territory():
    run("cci@example.fr", "--departements", "69")
    run("cci@example.fr", "--departements", "69")
    run("cci@example.fr", "--national")

    moderator = Moderator.objects.get()
    assert moderator.is_national and moderator.departements == []
    assert User.objects.count() == 1


@pytest.mark.parametrize("codes", ["69,99", "XX", " , "])
def test_unknown_departement_is_refused_and_nothing_is_created(codes):
    with pytest.raises(CommandError):
        run("cci@example.fr", "--departements", codes)
    assert not User.objects.exists()


def test_territory_is_required_and_exclusive():
    with pytest.raises(CommandError):
        run("cci@example.fr")
    with pytest.raises(CommandError):
        run("cci@example.fr", "--national", "--departements", "69")


def test_service_returns_the_moderator_for_the_demo_loader():
    moderator = moderator_create(
        email="demo@cci.fr", departements=["69"], national=False, password="x-y-z-demo-123"
    )
    again = moderator_create(email="demo@cci.fr", departements=["01"], national=False)

    assert again.pk == moderator.pk
    assert again.departements == ["01"]
