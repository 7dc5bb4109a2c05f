from django.contrib import admin

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.infusion.models import DaySettings


@admin.register(DaySettings)
class DaySettingsAdmin(CapabilityAdmin):
    """The medical director's numbers for the infusion day: one row, changed, never added twice
    or deleted."""

    capability = Can.CONFIGURE_CLINICAL
    list_display = ["__str__", "recovery_minutes", "needs_review", "updated_at"]
    fieldsets = [
        (
            "Observations",
            {"fields": [("during_every_minutes", "after_every_minutes"), "recovery_minutes"]},
        ),
        (
            "Before the start",
            {"fields": ["fasting_hours", ("start_systolic_max", "start_diastolic_max")]},
        ),
        (
            "A reading past these asks for an action",
            {
                "fields": [
                    ("act_systolic_above", "act_diastolic_above"),
                    ("act_heart_rate_above", "act_heart_rate_below"),
                    ("act_spo2_below", "act_resp_rate_below"),
                    ("sedation_scale", "act_sedation_at_or_below"),
                    ("dissociation_scale", "act_dissociation_above"),
                ]
            },
        ),
        ("Discharge", {"fields": ["discharge_checklist"]}),
        ("Review", {"fields": ["source", "needs_review"]}),
    ]

    def has_add_permission(self, request):
        return not DaySettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
