from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "perinatal.patients"
    verbose_name = "Patients"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.patients.models import MergeSuggestion, Patient

        track(Patient, patient="pk")
        track(MergeSuggestion, patient="patient_id")
