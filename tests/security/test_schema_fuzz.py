"""schemathesis against the live OpenAPI schema (/api/schema/), in process: generated requests
for every operation, as a verified company's member and as a moderator. No answer may be a
server error, and every answer must be one the schema documents, with the body it describes.

Bounded: SCHEMATHESIS_EXAMPLES examples per operation (default 5) and no deadline per example.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Membership
from tests import factories

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _token(user) -> str:
    response = Client().post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": factories.PASSWORD},
        content_type="application/json",
    )
    return response.json()["meta"]["session_token"]


@pytest.fixture
def tokens(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "writes_user": None,
            "writes_company": None,
            "photo_uploads": None,
        },
    }
    company = factories.CompanyFactory()
    member = factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    factories.ListingFactory(company=company)
    moderator = factories.ModeratorFactory(departements=["69"]).user
    # The WSGI application is called directly: like Django's test client, keep it from closing
    # the test's database connection at each request's start and end (PostgreSQL would lose
    # the test's transaction).
    # (After the logins: Django's test client connects the receivers again after a request.)
    found = {"member": _token(member), "moderator": _token(moderator)}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield found
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_api_answers_as_its_schema_says(tokens):
    from bourse.wsgi import application

    api = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures = []
    for result in api.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            for token in tokens.values():
                # Each call in a savepoint rolled back, as each request has its own transaction
                # in production: on PostgreSQL an error must not poison the next calls.
                with transaction.atomic():
                    case.call_and_validate(headers={"X-Session-Token": token}, checks=CHECKS)
                    transaction.set_rollback(True)

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - report them all
            failures.append(f"{operation.label}:\n  " + "\n  ".join(str(exc).splitlines()[:14]))
    assert not failures, f"{len(failures)} operations:\n" + "\n".join(failures)
