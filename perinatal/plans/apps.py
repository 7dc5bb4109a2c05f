from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "perinatal.plans"
    verbose_name = "Treatment plans"
