from django.apps import AppConfig


class ObcareConfig(AppConfig):
    name = "perinatal.obcare"
    verbose_name = "Coordination with the OB"
