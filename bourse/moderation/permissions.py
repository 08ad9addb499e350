"""Who may moderate what. Outside their territory a moderator gets 404, as if nothing were there."""

from django.http import Http404

from .models import Moderator


def moderator_for(user) -> Moderator | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.moderator
    except Moderator.DoesNotExist:
        return None


def scope_to_territory(queryset, moderator: Moderator, field: str = "departement"):
    """Restrict a queryset of objects with a département to the moderator's territory."""
    if moderator.is_national:
        return queryset
    return queryset.filter(**{f"{field}__in": moderator.departements})


def check_covers(moderator: Moderator, departement: str) -> None:
    if not moderator.covers(departement):
        raise Http404
