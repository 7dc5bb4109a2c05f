from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "perinatal.consult"
    verbose_name = "Consultation and eligibility"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.consult.models import (
            Addendum,
            ConsultationNote,
            EligibilityAssessment,
            EligibilityCriterion,
            InteractingDrug,
        )

        track(ConsultationNote, patient="patient_id")
        track(EligibilityAssessment, patient="note.patient_id")
        track(Addendum, patient="note.patient_id")
        # Not patient data, but who changed a hard stop, and when, belongs in the log too.
        track(EligibilityCriterion, patient="")
        track(InteractingDrug, patient="")
