"""Conversations between two companies about one listing, their messages and read marks."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BODY_MAX_LENGTH = 5000
CLIENT_ID_MAX_LENGTH = 64


# What a conversation's row in an inbox (page or API) shows besides itself.
INBOX_RELATED = (
    "listing",
    "owner_company",
    "other_company",
    "last_message__sender",
    "last_message__company",
)


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

    def with_read_mark(self, company_id: int):
        """Annotate `read_up_to`: the company's read mark (0 without one), by a join."""
        return self.annotate(
            company_mark=FilteredRelation(
                "read_marks", condition=Q(read_marks__company_id=company_id)
            ),
            read_up_to=Coalesce(F("company_mark__last_read_message_id"), Value(0)),
        )

    def with_unread_count_after_mark(self, company_id: int):
        """`with_unread_count` reading the mark joined by `with_read_mark`: the same figure,
        one subquery instead of two nested (a third cheaper to build and compile)."""
        unread = (
            Message.objects.filter(conversation=OuterRef("pk"), id__gt=OuterRef("read_up_to"))
            .exclude(company_id=company_id)
            .order_by()
            .values("conversation")
            .annotate(n=Count("id"))
            .values("n")
        )
        return self.with_read_mark(company_id).annotate(
            unread_count=Coalesce(Subquery(unread), Value(0))
        )

    def maybe_unread(self, company_id: int):
        """Those whose newest line lies past the company's read mark (or that have no newest
        line recorded): the only ones that can hold something unread, since `last_message` is
        the newest line (message_send writes both in one statement). Decided by a join with
        the company's read marks, without looking at the messages: a cheap filter to put
        before counting them, which otherwise runs once per conversation of the company."""
        return self.with_read_mark(company_id).filter(
            Q(last_message__isnull=True) | Q(last_message_id__gt=F("read_up_to"))
        )

    def unread_by(self, company_id: int):
        """Those holding a line of the other side past the company's read mark. The test on
        the messages reads the mark joined by `maybe_unread`, so PostgreSQL runs it after
        that cheap filter, on the few conversations left, not on each of the company's."""
        partner_line_after_mark = (
            Message.objects.filter(conversation=OuterRef("pk"), id__gt=OuterRef("read_up_to"))
            .exclude(company_id=company_id)
            .order_by()
            .values("pk")[:1]
        )
        # A scalar subquery, not EXISTS: PostgreSQL may turn EXISTS into a join that reads
        # every message of other companies in one go.
        return (
            self.maybe_unread(company_id)
            .annotate(partner_line_unread=Subquery(partner_line_after_mark))
            .filter(partner_line_unread__isnull=False)
        )

    def for_inbox(self, company_id: int):
        return (
            self.of_company(company_id)
            .with_unread_count(company_id)
            .select_related(*INBOX_RELATED)
            .order_by("-updated_at", "-id")
        )

    def newest_of(self, company_id: int, limit: int, *, unread_only: bool = False):
        """The company's `limit` most recent conversations with their `unread_count`, as the
        pages list them (listing, both companies, the last line and its sender; only the
        columns the pages show).

        The page's rows are chosen first by their ids alone, in a subquery on the company's
        conversations; the joins and the unread counts then apply to those rows only. Joined
        first and sorted after, a company with 10,000 conversations cost 350 ms a page
        (docs/benchmarks.md, "HTTP under load")."""
        chosen = self.of_company(company_id)
        if unread_only:
            chosen = chosen.unread_by(company_id)
        chosen = chosen.order_by("-updated_at", "-id").values("pk")[:limit]
        return (
            self.filter(pk__in=Subquery(chosen))
            .with_unread_count_after_mark(company_id)
            .select_related("listing", "owner_company", "other_company", "last_message__sender")
            .only(
                "updated_at",
                "listing",
                "owner_company",
                "other_company",
                "last_message",
                "last_message__sender",
                "listing__kind",
                "listing__title",
                "owner_company__name",
                "other_company__name",
                "last_message__body",
                "last_message__sender__first_name",
                "last_message__sender__last_name",
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
