"""Against real services: the company hears of its new status over the channel layer (Redis),
and two moderators acting at once on PostgreSQL record exactly one transition."""

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import connections

from accounts.models import Company
from bourse.core.realtime import company_group
from bourse.moderation import services
from bourse.moderation.models import AuditLogEntry
from tests import factories


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_company_status_change_is_pushed_to_the_company_group_after_commit():
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    moderator = factories.ModeratorFactory(departements=["69"]).user

    async def listen_while_rejecting():
        # One event loop for the listening side, as a consumer would have.
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(company_group(company.pk), channel)
        try:
            await sync_to_async(services.company_reject)(
                company=company, by=moderator, reason="SIRET fermé"
            )
            return await asyncio.wait_for(layer.receive(channel), timeout=5)
        finally:
            await layer.group_discard(company_group(company.pk), channel)

    message = async_to_sync(listen_while_rejecting)()

    event = message["event"]
    assert event["type"] == "notification"
    assert event["kind"] == "company_status"
    assert event["data"]["status"] == "rejected"
    assert event["data"]["reason"] == "SIRET fermé"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_moderators_acting_at_once_record_one_transition():
    company = factories.CompanyFactory(status=Company.Status.PENDING)
    first = factories.ModeratorFactory(departements=["69"]).user
    second = factories.ModeratorFactory(is_national=True, departements=[]).user
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(service, by, **kwargs):
        try:
            barrier.wait()
            service(company=Company.objects.get(pk=company.pk), by=by, **kwargs)
            outcomes.append("done")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    # Both verify: whoever comes second must see "verified" and be refused.
    threads = [
        threading.Thread(target=act, args=(services.company_verify, first)),
        threading.Thread(target=act, args=(services.company_verify, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["done", "refused"]
    company.refresh_from_db()
    entries = list(AuditLogEntry.objects.all())
    assert len(entries) == 1
    assert (
        company.status
        == {"company.verify": "verified", "company.reject": "rejected"}[entries[0].action]
    )
