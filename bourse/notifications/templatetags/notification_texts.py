"""`{{ spec|written }}`: a stored text (bourse.notifications.texts) written in the active
language — the recipient's, when the outbox renders an e-mail."""

from django import template

from ..texts import render

register = template.Library()


@register.filter
def written(spec) -> str:
    return render(spec)
