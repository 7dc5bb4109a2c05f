from django.contrib import admin

from perinatal.outcomes.models import OutcomeSettings


@admin.register(OutcomeSettings)
class OutcomeSettingsAdmin(admin.ModelAdmin):
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
