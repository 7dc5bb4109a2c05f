from django.apps import AppConfig


class ConsentsConfig(AppConfig):
    name = "perinatal.consents"
    verbose_name = "Consents"
