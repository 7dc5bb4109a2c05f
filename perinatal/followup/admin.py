from django.contrib import admin

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.followup.models import FollowUpSettings


@admin.register(FollowUpSettings)
class FollowUpSettingsAdmin(CapabilityAdmin):
    """The medical director's numbers for follow-up: one row, changed, never added twice or
    deleted."""

    capability = Can.CONFIGURE_CLINICAL
    list_display = ["__str__", "instrument", "window_days", "needs_review", "updated_at"]
    fieldsets = [
        (
            "Invitations",
            {"fields": ["instrument", "send_hour", "window_days", "reminder_hours"]},
        ),
        ("Postpartum anchors", {"fields": ["postpartum_weeks"]}),
        ("Worsening", {"fields": ["worsening_points", "worsening_on_higher_band"]}),
        ("Review", {"fields": ["source", "needs_review"]}),
    ]

    def has_add_permission(self, request):
        return not FollowUpSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
