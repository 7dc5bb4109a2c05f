from django.apps import AppConfig


class FollowUpConfig(AppConfig):
    name = "perinatal.followup"
    label = "followup"
    verbose_name = "Follow-up"

    def ready(self):
        from perinatal.audit.log import track
        from perinatal.followup import models, services
        from perinatal.infusion import signals

        track(models.FollowUp, patient="patient_id")
        signals.discharged.connect(services.on_discharge, dispatch_uid="followup-discharge")
