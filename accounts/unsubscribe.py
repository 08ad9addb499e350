"""One-click unsubscribe links (RFC 8058) for the e-mails a person can turn off.

A link carries a signed token naming one person, one preference (`match_emails`,
`message_reminders`, `saved_search_digest` or `moderation_summary`) and that preference's
generation: following it turns that preference off, and only that (single purpose), without
logging in. Each change of the preference (by a link or on the account page) moves its
generation on, so a link works once: used again, or after the person turned the e-mails back
on, it changes nothing. A link whose signature does not check (tampered, or signed with
another key) is refused.

E-mails carry it in their text and in the `List-Unsubscribe` / `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` headers (bourse.core.outbox), so mail clients offer their own
button, which POSTs to the same URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import User

SALT = "accounts.unsubscribe"

# What following the link sets, and what the page says.
TURN_OFF = {
    "match_emails": User.MatchEmails.NEVER,
    "message_reminders": False,
    "saved_search_digest": User.DigestFrequency.NEVER,
    "moderation_summary": False,
}
WHAT = {
    "match_emails": _("les e-mails de nouvelles suggestions pour vos annonces"),
    "message_reminders": _("les rappels de messages non lus"),
    "saved_search_digest": _("le résumé des annonces de vos recherches enregistrées"),
    "moderation_summary": _("le résumé quotidien de vos files de modération"),
}


def generation(user: User, preference: str) -> int:
    return int((user.preference_generations or {}).get(preference, 0))


def token_for(user: User, preference: str) -> str:
    if preference not in TURN_OFF:
        raise ValueError(f"not a preference one can unsubscribe from: {preference}")
    return signing.dumps(
        {"u": user.pk, "p": preference, "g": generation(user, preference)}, salt=SALT
    )


def url_for(user: User, preference: str) -> str:
    """The absolute one-click link turning `preference` off for `user`."""
    path = reverse("accounts:unsubscribe", args=[token_for(user, preference)])
    return f"{settings.SITE_URL}{path}"


@dataclass
class Outcome:
    status: str  # "done", "used", "invalid"
    preference: str = ""
    user: User | None = None

    @property
    def what(self) -> str:
        return str(WHAT.get(self.preference, ""))


@transaction.atomic
def unsubscribe(token: str) -> Outcome:
    """Follow a link: "done" (the preference is now off), "used" (the link already served, or
    the preference changed since the e-mail; nothing changed) or "invalid"."""
    try:
        data = signing.loads(token, salt=SALT)
        user_id, preference, issued = int(data["u"]), str(data["p"]), int(data["g"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return Outcome("invalid")
    if preference not in TURN_OFF:
        return Outcome("invalid")
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        return Outcome("invalid")
    if issued != generation(user, preference):
        return Outcome("used", preference, user)
    setattr(user, preference, TURN_OFF[preference])
    bump(user, preference)
    user.save(update_fields=[preference, "preference_generations"])
    return Outcome("done", preference, user)


def bump(user: User, preference: str) -> None:
    """The preference changed: the links sent before stop working (the caller saves)."""
    generations = dict(user.preference_generations or {})
    generations[preference] = generation(user, preference) + 1
    user.preference_generations = generations
