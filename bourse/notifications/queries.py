"""Reads of a company's notifications."""

from .models import Notification


def notifications_of(company_id: int | None):
    if company_id is None:
        return Notification.objects.none()
    return Notification.objects.filter(company_id=company_id).order_by("-created_at", "-id")


def unread_count(company_id: int | None) -> int:
    if company_id is None:
        return 0
    return Notification.objects.filter(company_id=company_id, read_at__isnull=True).count()
