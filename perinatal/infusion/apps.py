from django.apps import AppConfig


class InfusionConfig(AppConfig):
    name = "perinatal.infusion"
    verbose_name = "Infusion day"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.infusion import models

        for model in (
            models.InfusionSession,
            models.Observation,
            models.InfusionEvent,
            models.VialUse,
            models.AdverseEvent,
            models.NextDayCheck,
            models.Addendum,
        ):
            track(model, patient="patient_id")
