from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "perinatal.notify"
    verbose_name = "Messages"
