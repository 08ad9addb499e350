"""Two declarations of the same SIRET at the same moment, on PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts import services
from accounts.models import Company
from accounts.services import companies
from tests import factories

# serialized_rollback: see tests/accounts/test_browser.py.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_simultaneous_declarations_of_one_siret_give_one_company_and_one_french_error(
    monkeypatch,
):
    users = [factories.UserFactory(), factories.UserFactory()]
    siret = factories.make_siret()
    barrier = threading.Barrier(2, timeout=10)
    original_check = companies._check_siret_free

    def check_then_wait(value, *, exclude_pk=None):
        original_check(value, exclude_pk=exclude_pk)
        barrier.wait()  # both threads have passed the early check before either inserts

    monkeypatch.setattr(companies, "_check_siret_free", check_then_wait)
    outcomes: list[object] = []

    def declare(user):
        try:
            outcomes.append(
                services.company_create(
                    by=user,
                    name=f"Société de {user.email}",
                    siret=siret,
                    address="1 rue Centrale",
                    postal_code="69001",
                )
            )
        except ValidationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=declare, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(outcomes) == 2 and len(errors) == 1
    assert "déjà inscrite" in errors[0].message_dict["siret"][0]
    assert Company.objects.filter(siret=siret).count() == 1
    assert Company.objects.get(siret=siret).memberships.count() == 1
