from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "perinatal.outcomes"
    verbose_name = "Outcomes"
