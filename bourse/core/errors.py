"""The one error a service raises when it refuses, and the two places that translate it.

A service never knows whether a page or the API called it. When a business rule refuses the
request it raises `ServiceError`, naming the field the person must correct when there is one:

    raise ServiceError(_("Ce SIRET est déjà inscrit."), field="siret", code="duplicate")
    raise ServiceError({"postal_code": [_("Code postal inconnu.")]})
    raise ServiceError(_("Cette annonce n'est plus en attente."))      # no field: the form's

`ServiceError` is a Django `ValidationError`, so `Model.full_clean()` errors raised inside a
service travel the same way, and code that catches `ValidationError` keeps working.

- The API: `api_exception_handler` (REST_FRAMEWORK["EXCEPTION_HANDLER"]) answers 400 with
  `{field: [messages]}`, and `non_field_errors` for what belongs to no field — DRF's own shape.
- The pages: `add_service_error(form, exc)` puts each message on its field of the form, or on
  the form itself when the form has no such field.

Refusals that are not about the input keep their own exceptions: `PermissionDenied` (403) and
`Http404` (404), which Django and DRF already translate; permission checks belong in each app's
permissions.py, before the service. Two refusals can only be found by the service itself, in the
same statement as the write (a company suspended a moment ago, a rate limit): a `ServiceError`
subclass with `http_status = 403` or `429` answers `{"detail": message}` with that status.
"""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import ngettext
from rest_framework import exceptions as drf_exceptions
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

__all__ = [
    "ServiceError",
    "add_service_error",
    "api_errors",
    "api_exception_handler",
    "messages_of",
]

_NON_FIELD_KEYS = (NON_FIELD_ERRORS, "non_field_errors")


class ServiceError(ValidationError):
    """A business rule refused the request; `field` names what to correct, if anything."""

    http_status = 400

    def __init__(
        self, message, *, field: str | None = None, code: str | None = "invalid", params=None
    ):
        if field is not None:
            if isinstance(message, (dict, list)):
                raise TypeError("field= goes with a single message")
            message = {field: [ValidationError(message, code=code, params=params)]}
            super().__init__(message)
        elif isinstance(message, (dict, list, ValidationError)):
            super().__init__(message)
        else:
            super().__init__(message, code=code, params=params)


def _errors_by_field(exc: ValidationError) -> dict[str, list[ValidationError]]:
    """{field or None: [single errors]}, whatever shape the error was built with."""
    if hasattr(exc, "error_dict"):
        return {
            (None if field in _NON_FIELD_KEYS else field): list(errors)
            for field, errors in exc.error_dict.items()
        }
    return {None: list(exc.error_list)}


def _text(error: ValidationError) -> str:
    message = error.message
    if error.params:
        message = message % error.params
    return str(message)


def api_errors(exc: ValidationError) -> dict[str, list[ErrorDetail]]:
    """The error in the API's shape: `{field: [messages]}`, `non_field_errors` for the rest."""
    key = api_settings.NON_FIELD_ERRORS_KEY
    return {
        (field or key): [
            ErrorDetail(_text(error), code=error.code or "invalid") for error in errors
        ]
        for field, errors in _errors_by_field(exc).items()
    }


def messages_of(exc: ValidationError) -> list[str]:
    """Every message of the error, for a page that shows them as notices."""
    return [_text(error) for errors in _errors_by_field(exc).values() for error in errors]


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on a form: on the field it names when the form has it, else on
    the form as a whole (never lost, never a ValueError for an unknown field)."""
    for field, errors in _errors_by_field(exc).items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _throttled(detail: str, wait: float) -> drf_exceptions.Throttled:
    """429 saying exactly `detail` (DRF would append its English wait sentence), Retry-After
    `wait` seconds (DRF's handler sets the header from `wait`)."""
    exc = drf_exceptions.Throttled(detail=detail)
    exc.wait = max(1, math.ceil(wait))
    return exc


def api_exception_handler(exc, context):
    """DRF's handler, which also answers a service's refusal (any Django `ValidationError`)
    with 400 and the field it names, instead of a 500; a refusal whose `http_status` is 403 or
    429 with `{"detail"}`; a throttled request (DRF's throttles, bourse.core.throttling, or a
    service's own rate limit) with 429, `Retry-After` in whole seconds and a French `detail`."""
    status = exc.http_status if isinstance(exc, ServiceError) else None
    if status == 403:
        exc = drf_exceptions.PermissionDenied(" ".join(messages_of(exc)))
    elif status == 429:
        # A service's own limit (messages per minute...): its message; Retry-After its
        # `retry_after` (seconds) when it knows it, else one minute.
        exc = _throttled(" ".join(messages_of(exc)), getattr(exc, "retry_after", None) or 60)
    elif isinstance(exc, ValidationError):
        exc = drf_exceptions.ValidationError(api_errors(exc))
    elif isinstance(exc, drf_exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        message = ngettext(
            "Trop de requêtes : réessayez dans %(n)d seconde.",
            "Trop de requêtes : réessayez dans %(n)d secondes.",
            wait,
        )
        exc = _throttled(message % {"n": wait}, wait)
    return drf_exception_handler(exc, context)
