from django.contrib import admin

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.outcomes.models import OutcomeSettings


@admin.register(OutcomeSettings)
class OutcomeSettingsAdmin(CapabilityAdmin):
    """The medical director's outcome definitions: one row, changed, never added twice or
    deleted."""

    capability = Can.CONFIGURE_CLINICAL
    list_display = ["__str__", "response_drop_pct", "needs_review", "updated_at"]
    fieldsets = [
        (
            "Response and remission",
            {"fields": ["response_drop_pct", ("remission_phq9_below", "remission_epds_below")]},
        ),
        ("Lasting response", {"fields": ["durability_from_day", "durability_days"]}),
        ("Baseline", {"fields": ["baseline_days"]}),
        ("Review", {"fields": ["source", "needs_review"]}),
    ]

    def has_add_permission(self, request):
        return not OutcomeSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
