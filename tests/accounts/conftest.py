"""The public company registry played back from recorded answers (tests/outside.py)."""

import pytest

from tests.outside import RecordedService

FOUND = "42136589100017"  # Froid Services du Rhône, head office in Lyon 7e, active
CLOSED = "80347126700028"  # a branch of Transports Martin et Fils, closed
UNKNOWN = "51288403200016"  # the registry knows no such establishment
SLOW = "39154772600011"  # the registry does not answer in time
LIMITED = "51288403200024"  # the registry answers 429


@pytest.fixture
def recorded_registry(settings):
    service = RecordedService("registry")
    service.slow.add(SLOW)
    service.limited.add(LIMITED)
    with service.running() as url:
        settings.REGISTRY_API_URL = url
        settings.REGISTRY_TIMEOUT = 0.5
        settings.REGISTRY_RATE_PER_SECOND = 50
        yield service


@pytest.fixture
def reauthenticated_client_for():
    """A browser-session client of `user` that has just typed its password again (allauth's
    reauthentication), as deleting an account requires."""
    from tests import factories
    from tests.commit_hooks import CommittingClient

    def make(user) -> CommittingClient:
        client = CommittingClient()
        client.force_login(user)
        response = client.post(
            "/_allauth/browser/v1/auth/reauthenticate",
            {"password": factories.PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return client

    return make
