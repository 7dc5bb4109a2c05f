from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "perinatal.pathway"
    verbose_name = "Care pathway"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.pathway.models import Reconfirmation

        track(Reconfirmation, patient="patient_id")
