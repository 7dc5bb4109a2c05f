from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "perinatal.plans"
    verbose_name = "Treatment plans"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.plans.models import TreatmentPlan

        track(TreatmentPlan, patient="patient_id")
