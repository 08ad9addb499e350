"""Sockets follow the session: logging out (web or app) and changing or resetting the password
close the user's open sockets (bourse.core.realtime, code 4403)."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from bourse.core import realtime


@receiver(user_logged_out, dispatch_uid="accounts.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    """Only the sockets of the session that logs out (web cookie or app token alike: both are
    Django sessions); the user's other devices stay connected."""
    if user is None:
        return
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) or ""
    if key:
        realtime.close_user_sockets_on_commit(user.pk, session=key)


@receiver(password_changed, dispatch_uid="accounts.close_sockets_on_password_change")
@receiver(password_set, dispatch_uid="accounts.close_sockets_on_password_set")
@receiver(password_reset, dispatch_uid="accounts.close_sockets_on_password_reset")
def close_sockets_on_password_change(sender, request, user, **kwargs):
    """Every socket of the user: the sessions opened with the old password end too (the one
    that changed it stays logged in, and its page opens a new socket)."""
    realtime.close_user_sockets_on_commit(user.pk)
