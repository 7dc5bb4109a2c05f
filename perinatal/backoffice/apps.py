from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "perinatal.backoffice"
    verbose_name = "Back office"
