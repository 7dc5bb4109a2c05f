from django.contrib import admin

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.pathway.models import GateSettings


@admin.register(GateSettings)
class GateSettingsAdmin(CapabilityAdmin):
    """The medical director's gate settings: one row, changed, never added twice or deleted."""

    capability = Can.CONFIGURE_CLINICAL
    list_display = ["__str__", "consultation_valid_days", "needs_review", "updated_at"]
    fields = [
        "consultation_valid_days",
        "ob_clearance_before_plan",
        "ob_letter_before_infusion",
        "risk_self_harm_days",
        "source",
        "needs_review",
    ]

    def has_add_permission(self, request):
        return not GateSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
