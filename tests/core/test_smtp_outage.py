"""SMTP down, then back (a real SMTP server, aiosmtpd): approving a listing, signing up (the
verification code), inviting a colleague and the unread-message reminders all answer success
while nothing listens on the SMTP port; once a server listens there, the sweeper delivers every
e-mail exactly once — user text with CR/LF in a title or a company name included."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from accounts.models import Membership
from bourse.core import outbox
from bourse.core.models import OutboxEntry
from messaging import services as messaging_services
from messaging.models import Message
from tests import factories
from tests.commit_hooks import CommittingClient
from tests.live_server import free_port
from tests.smtp_sink import SMTPSink

PASSWORD = "Entraide-solide-2026"


@pytest.fixture
def smtp_port(settings):
    port = free_port()  # nothing listens there until the test starts its server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    return port


@pytest.mark.django_db
def test_every_email_waits_for_smtp_and_arrives_once(smtp_port, client_for, settings):
    company = factories.CompanyFactory(name="Ateliers\r\nBcc: victime@exemple.fr")
    admin = factories.MembershipFactory(company=company, role=Membership.Role.ADMIN).user
    colleague = factories.MembershipFactory(company=company, role=Membership.Role.MEMBER).user
    moderator = factories.ModeratorFactory(is_national=True, departements=[]).user
    listing = factories.ListingFactory(
        company=company, status="pending", title="Palettes\r\nSubject: piège"
    )
    partner = factories.MembershipFactory(company=factories.CompanyFactory(postal_code="42000"))

    # 1. A moderator approves: the listing is published, the company is told.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(moderator).post(f"/api/v1/moderation/listings/{listing.pk}/approve/")
    assert response.status_code == 200, response.content
    listing.refresh_from_db()
    assert listing.status == "published"

    # 2. Someone signs up: the verification code is on its way.
    signup = CommittingClient()
    response = signup.post(
        "/_allauth/app/v1/auth/signup",
        {"email": "nouvelle@entreprise.fr", "password": PASSWORD, **factories.signup_details()},
        content_type="application/json",
    )
    assert response.status_code == 401  # a pending verify_email flow: allauth's success
    token = response.json()["meta"]["session_token"]

    # 3. The admin invites a colleague.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client_for(admin).post(
            f"/api/v1/companies/{company.pk}/invitations/", {"email": "invite@exemple.fr"}
        )
    assert response.status_code == 201, response.content

    # 4. A partner's message left unread for 11 minutes: the reminders run.
    conversation, _created = messaging_services.conversation_start(
        listing=listing, by=partner.user, body="Bonjour,\r\nencore disponible ?"
    )
    Message.objects.filter(conversation=conversation).update(
        created_at=timezone.now() - timedelta(minutes=11)
    )
    Membership.objects.update(joined_at=timezone.now() - timedelta(days=30))
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_message_reminders", stdout=out)
    assert "2 reminder(s) sent." in out.getvalue()  # the admin and the colleague

    emails = OutboxEntry.objects.filter(kind="email")
    # approval (2 members) + code + invitation + 2 reminders
    assert emails.count() == 6
    assert set(emails.values_list("status", flat=True)) == {"pending"}
    assert all("ConnectionRefusedError" in e.last_error for e in emails)

    # SMTP is back: the sweeper (a scheduler job) delivers each one once.
    with SMTPSink(smtp_port) as sink:
        later = timezone.now() + timedelta(hours=1)
        assert outbox.sweep(now=later) == 6
        assert outbox.sweep(now=later + timedelta(days=1)) == 0
        ids = sink.message_ids()
    assert len(ids) == 6 and len(set(ids)) == 6
    assert set(ids) == {outbox.message_id(key) for key in emails.values_list("key", flat=True)}
    assert set(emails.values_list("status", flat=True)) == {"done"}
    # The code is not kept once sent.
    assert emails.get(key__startswith="allauth:").payload["body"] == "…"

    by_recipient: dict[str, list] = {}
    for message in sink.messages:
        by_recipient.setdefault(message["To"], []).append(message)
        assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
        assert message["Bcc"] is None
    assert sorted(by_recipient) == sorted(
        [admin.email, colleague.email, "nouvelle@entreprise.fr", "invite@exemple.fr"]
    )
    assert len(by_recipient[admin.email]) == 2  # the approval and the reminder
    approval = next(m for m in by_recipient[colleague.email] if "publiée" in m["Subject"])
    assert "Palettes Subject: piège" in approval["Subject"]

    # The code that waited for SMTP still verifies the address.
    [code_mail] = by_recipient["nouvelle@entreprise.fr"]
    code = next(
        line.strip()
        for line in code_mail.get_content().splitlines()
        if len(line.strip()) == 9 and line.strip()[4] == "-"
    )
    response = signup.post(
        "/_allauth/app/v1/auth/email/verify",
        {"key": code},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 200, response.content
