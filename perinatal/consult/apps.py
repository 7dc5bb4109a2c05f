from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "perinatal.consult"
    verbose_name = "Consultation and eligibility"
