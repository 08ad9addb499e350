from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bourse.notifications"
    label = "notifications"
    verbose_name = "Notifications"
