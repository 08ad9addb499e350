"""What the messaging services refuse, and the checks on what a message must be.

`MessagingError` and its kinds are `ServiceError`s: the API, the pages and the socket translate
them as every refusal (bourse.core.errors); the socket sends `code` and `detail` in an `error`
frame.
"""

from django.utils.translation import gettext as _

from bourse.core.errors import ServiceError

from .models import BODY_MAX_LENGTH, CLIENT_ID_MAX_LENGTH


class MessagingError(ServiceError):
    """A refusal the caller shows as is: `code` for machines, `detail` (French) for people.
    The API and the pages translate it as every ServiceError; the socket sends `code` and
    `detail` in an `error` frame. code="forbidden" (the sender's company no longer allowed,
    found by the write itself) is a 403."""

    code = "invalid"
    field = "non_field_errors"

    def __init__(self, detail: str, *, code: str | None = None):
        code = code or type(self).code
        field = None if self.field == "non_field_errors" else self.field
        super().__init__(detail, field=field, code=code)
        self.detail = detail
        self.code = code
        if code == "forbidden":
            self.http_status = 403


class InvalidBody(MessagingError):
    field = "body"


class InvalidClientId(MessagingError):
    code = "invalid_client_id"
    field = "client_id"


class InvalidReadMark(MessagingError):
    code = "invalid_up_to"
    field = "up_to"


class RateLimited(MessagingError):
    code = "rate_limited"
    http_status = 429


class NewCompanyLimit(MessagingError):
    """A company verified recently opened its conversations of the day (429; `retry_after`
    seconds until the oldest of them leaves the 24-hour window)."""

    code = "new_company_limit"
    http_status = 429

    def __init__(self, detail: str, *, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


def clean_body(body) -> str:
    """Plain text of 1 to 5,000 characters once surrounding blanks are removed."""
    if not isinstance(body, str):
        raise InvalidBody(_("Le message doit être un texte."), code="invalid_body")
    body = body.strip()
    if not body:
        raise InvalidBody(_("Le message est vide."), code="empty_body")
    if "\x00" in body:
        # PostgreSQL's text cannot hold it (and no one types it).
        raise InvalidBody(_("Le message contient un caractère nul."), code="invalid_body")
    if len(body) > BODY_MAX_LENGTH:
        raise InvalidBody(
            _("Le message est trop long (%(max)d caractères au plus).") % {"max": BODY_MAX_LENGTH},
            code="body_too_long",
        )
    return body


def clean_client_id(client_id) -> str:
    if client_id is None:
        return ""
    if (
        not isinstance(client_id, str)
        or len(client_id) > CLIENT_ID_MAX_LENGTH
        or any(ord(c) < 32 for c in client_id)  # a NUL cannot even be stored
    ):
        raise InvalidClientId(
            _("client_id doit être un texte de %(max)d caractères au plus.")
            % {"max": CLIENT_ID_MAX_LENGTH}
        )
    return client_id
