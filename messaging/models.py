"""Conversations between two companies about one listing, their messages and read marks."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BODY_MAX_LENGTH = 5000
CLIENT_ID_MAX_LENGTH = 64


class ConversationQuerySet(models.QuerySet):
    def of_company(self, company_id: int | None):
        """The conversations a company is a side of (none for a user without company)."""
        if company_id is None:
            return self.none()
        return self.filter(Q(owner_company_id=company_id) | Q(other_company_id=company_id))

    def with_unread_count(self, company_id: int):
        """Annotate `unread_count`: messages of the other side after the company's read mark."""
        last_read = ReadMark.objects.filter(
            conversation=OuterRef(OuterRef("pk")), company_id=company_id
        ).values("last_read_message_id")[:1]
        unread = (
            Message.objects.filter(conversation=OuterRef("pk"))
            .exclude(company_id=company_id)
            .filter(id__gt=Coalesce(Subquery(last_read), Value(0)))
            .order_by()
            .values("conversation")
            .annotate(n=Count("id"))
            .values("n")
        )
        return self.annotate(unread_count=Coalesce(Subquery(unread), Value(0)))

    def for_inbox(self, company_id: int):
        return (
            self.of_company(company_id)
            .with_unread_count(company_id)
            .select_related(
                "listing",
                "owner_company",
                "other_company",
                "last_message__sender",
                "last_message__company",
            )
            .order_by("-updated_at", "-id")
        )


class Conversation(models.Model):
    """Two companies talking about one listing: the listing's company and the one that wrote."""

    listing = models.ForeignKey(
        "listings.Listing",
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name=_("annonce"),
    )
    owner_company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.CASCADE,
        related_name="owned_conversations",
        verbose_name=_("entreprise de l'annonce"),
    )
    other_company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.CASCADE,
        related_name="started_conversations",
        verbose_name=_("entreprise intéressée"),
    )
    last_message = models.ForeignKey(
        "Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Moves with every message: the inbox is ordered by it.
    updated_at = models.DateTimeField(default=timezone.now)
    # Set by the retention job when, inactive for RETENTION_CONVERSATION_MONTHS, its messages'
    # text and authors were erased (messaging.retention.anonymise_inactive_conversations).
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "other_company"],
                name="one conversation per listing and company pair",
            ),
            models.CheckConstraint(
                condition=~Q(owner_company=F("other_company")),
                name="conversation_between_two_companies",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_company", "-updated_at"], name="conv_owner_updated"),
            models.Index(fields=["other_company", "-updated_at"], name="conv_other_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.listing} — {self.owner_company} / {self.other_company}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("messaging:conversation", args=[self.pk])

    @property
    def company_ids(self) -> tuple[int, int]:
        return (self.owner_company_id, self.other_company_id)

    def partner_of(self, company_id: int):
        """The other side, seen from `company_id`."""
        return self.other_company if company_id == self.owner_company_id else self.owner_company


class Message(models.Model):
    # No index of their own for these two keys: `message_conv_newest` and
    # `message_sender_recent` lead with them (one index less to write per chat line).
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    # Deleting an account anonymises its messages: the partner keeps the conversation.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_messages",
        db_index=False,
    )
    # The sender's company when the message was sent (kept if the sender leaves it).
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    client_id = models.CharField(max_length=CLIENT_ID_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="message_unique_client_id",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="message_body_not_empty"),
        ]
        indexes = [
            models.Index(fields=["conversation", "-id"], name="message_conv_newest"),
            # The rate limit: what a user sent in the last minute (messaging.services).
            models.Index(fields=["sender", "created_at"], name="message_sender_recent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.conversation_id}: {self.body[:40]}"


class ReadMark(models.Model):
    """How far a company has read a conversation: its unread count starts after this id."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_marks"
    )
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    last_read_message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lecture (entreprise)")
        verbose_name_plural = _("lectures (entreprises)")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "company"], name="readmark_unique_conversation_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_id} read {self.conversation_id} up to {self.last_read_message_id}"


class UserReadMark(models.Model):
    """How far one member has read, and when they were last reminded by e-mail.

    A reminder is due when a message of the other side waits unread for 10 minutes and no
    reminder was sent since the member last read (`reminded_at` older than `last_read_at`).
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="user_read_marks"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_reads"
    )
    last_read_message_id = models.BigIntegerField(default=0)
    last_read_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lecture (membre)")
        verbose_name_plural = _("lectures (membres)")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="userreadmark_unique_conversation_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.conversation_id} up to {self.last_read_message_id}"


class DealFollowUp(models.Model):
    """The question asked of one company, 21 days after a conversation started: did an exchange
    happen? Its answer feeds the statistics (messaging/followup.py)."""

    class Answer(models.TextChoices):
        YES = "yes", _("oui, l'échange a eu lieu")
        NO = "no", _("non")
        ONGOING = "ongoing", _("en cours")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="follow_ups"
    )
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(_("réponse"), max_length=8, choices=Answer.choices, blank=True)
    quantity = models.DecimalField(
        _("quantité échangée"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    listing_fulfilled = models.BooleanField(_("annonce marquée réalisée"), default=False)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("suivi d'échange")
        verbose_name_plural = _("suivis d'échange")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "company"], name="one_follow_up_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"follow-up of {self.conversation_id} by {self.company_id}: {self.answer or '-'}"
