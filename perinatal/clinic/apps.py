from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "perinatal.clinic"
    verbose_name = "Clinic"
