from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Company, Membership
from bourse.listings.models import Listing
from messaging import reminders, services
from messaging.models import Message
from messaging.reminders import send_message_reminders

pytestmark = pytest.mark.django_db


def age(message: Message, minutes: float) -> None:
    """Time travel: the message was sent `minutes` ago."""
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def run(django_capture_on_commit_callbacks, *, members_joined_long_ago=True) -> int:
    if members_joined_long_ago:
        Membership.objects.update(joined_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        return send_message_reminders()


@pytest.fixture
def unread(conversation):
    """The writer's first message, waiting unread by the owner's company for 11 minutes."""
    message = conversation.messages.get()
    age(message, 11)
    return message


def recipients() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


def test_one_email_per_member_after_ten_minutes(
    unread, owner, owner_colleague, writer, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://bourse.example.fr"
    assert run(django_capture_on_commit_callbacks) == 2
    # The owner's two members; not the writer (their own company's message).
    assert recipients() == sorted([owner.email, owner_colleague.email])
    body = mail.outbox[0].body
    assert "> Bonjour, votre chariot est-il disponible ?" in body
    assert f"https://bourse.example.fr/messages/{unread.conversation_id}/" in body


def test_no_email_before_ten_minutes(conversation, owner, django_capture_on_commit_callbacks):
    age(conversation.messages.get(), 9)
    assert run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_running_twice_sends_nothing_twice(
    unread, owner, owner_colleague, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2


def test_more_messages_do_not_send_more_emails(
    unread, owner, writer, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    for i in range(3):
        message, _ = services.message_send(
            conversation=unread.conversation, by=writer, body=f"+{i}"
        )
        age(message, 20)
    assert run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1


def test_one_email_quotes_the_first_and_counts_the_others(
    conversation, owner, writer, django_capture_on_commit_callbacks
):
    age(conversation.messages.get(), 30)
    second, _ = services.message_send(conversation=conversation, by=writer, body="Relance")
    age(second, 15)
    assert run(django_capture_on_commit_callbacks) == 1
    assert "Et 1 autre message non lu." in mail.outbox[0].body


def test_a_member_who_read_gets_nothing(unread, owner, django_capture_on_commit_callbacks):
    services.mark_read(conversation=unread.conversation, by=owner, up_to=unread.pk)
    assert run(django_capture_on_commit_callbacks) == 0


def test_after_reading_a_new_unread_message_brings_a_new_email(
    unread, owner, writer, django_capture_on_commit_callbacks
):
    run(django_capture_on_commit_callbacks)
    services.mark_read(conversation=unread.conversation, by=owner, up_to=unread.pk)
    newer, _ = services.message_send(conversation=unread.conversation, by=writer, body="Alors ?")
    assert run(django_capture_on_commit_callbacks) == 0  # not yet 10 minutes
    age(newer, 12)
    assert run(django_capture_on_commit_callbacks) == 1
    assert mail.outbox[-1].to == [owner.email]
    assert "> Alors ?" in mail.outbox[-1].body


def test_own_company_messages_never_trigger_a_reminder(
    conversation, owner, writer, django_capture_on_commit_callbacks
):
    services.mark_read(conversation=conversation, by=owner, up_to=conversation.messages.get().pk)
    mine, _ = services.message_send(conversation=conversation, by=owner, body="Moi")
    age(mine, 30)
    # Only the partner (the writer's company) is reminded of it, never its author's company.
    assert run(django_capture_on_commit_callbacks) == 1
    assert recipients() == [writer.email]


def test_a_member_is_not_reminded_of_messages_from_before_they_joined(
    unread, owner, django_capture_on_commit_callbacks
):
    Membership.objects.update(joined_at=timezone.now() - timedelta(minutes=5))
    assert run(django_capture_on_commit_callbacks, members_joined_long_ago=False) == 0


def test_command_sends_the_due_reminders(unread, owner, capsys, django_capture_on_commit_callbacks):
    Membership.objects.update(joined_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_message_reminders")
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "1 reminder(s) sent." in capsys.readouterr().out


def test_line_breaks_in_a_company_name_or_title_do_not_stop_the_reminders(
    unread, owner, owner_colleague, other_company, django_capture_on_commit_callbacks
):
    # Written before single-line checks existed, or by a path that skips them.
    Company.objects.filter(pk=other_company.pk).update(name="Beta\r\nBcc: victime@exemple.fr")
    Listing.objects.filter(pk=unread.conversation.listing_id).update(title="Chariot\nélévateur")
    assert run(django_capture_on_commit_callbacks) == 2
    assert recipients() == sorted([owner.email, owner_colleague.email])
    for message in mail.outbox:
        assert (
            message.subject == "[Bourse d'entraide] Nouveau message de Beta Bcc: victime@exemple.fr"
        )
        assert message.bcc == []


def test_one_failing_reminder_never_stops_the_others(
    unread, owner, owner_colleague, monkeypatch, django_capture_on_commit_callbacks
):
    real = reminders.reminder_record

    def broken_for_the_owner(*, reminder, now):
        if reminder.user_id == owner.pk:
            raise RuntimeError("données inattendues")
        return real(reminder=reminder, now=now)

    monkeypatch.setattr(reminders, "reminder_record", broken_for_the_owner)
    assert run(django_capture_on_commit_callbacks) == 1
    assert recipients() == [owner_colleague.email]


def test_loop_goes_on_after_a_failing_round(
    unread, owner, monkeypatch, capsys, django_capture_on_commit_callbacks
):
    from messaging.management.commands import send_message_reminders as command

    rounds = []

    def first_round_fails(now=None):
        rounds.append(now)
        if len(rounds) == 1:
            raise RuntimeError("base de données indisponible")
        return send_message_reminders(now)

    monkeypatch.setattr(command, "send_message_reminders", first_round_fails)
    Membership.objects.update(joined_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_message_reminders", "--loop", "--iterations", "2", "--interval", "0")
    assert len(rounds) == 2
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "1 reminder(s) sent." in capsys.readouterr().out
