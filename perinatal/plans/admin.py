"""Configuration: protocols and follow-up schedules (the medical director's), and infusion
chairs (whoever keeps the clinic's setup). Plans themselves are written in the back office."""

from django import forms
from django.contrib import admin

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.plans.models import FollowUpSchedule, InfusionChair, Protocol, validate_days


@admin.register(Protocol)
class ProtocolAdmin(CapabilityAdmin):
    capability = Can.CONFIGURE_CLINICAL
    list_display = [
        "name",
        "dose_mg_per_kg",
        "minutes",
        "route",
        "is_default",
        "needs_review",
        "is_active",
    ]
    list_filter = ["is_active", "needs_review"]
    fields = [
        "name",
        ("dose_mg_per_kg", "minutes", "route"),
        ("max_mg_per_kg", "max_mg"),
        "min_days_between_infusions",
        "visit_type",
        "notes",
        "source",
        ("is_active", "is_default", "needs_review"),
    ]

    def has_delete_permission(self, request, obj=None):
        # Plans point at their protocol; retire one by taking it out of use instead.
        return False


class DaysField(forms.CharField):
    """Days typed as "1, 7, 14", stored as a list of whole numbers."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(day) for day in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        try:
            days = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError("Type whole numbers separated by commas.") from None
        validate_days(days)
        return days


class FollowUpScheduleForm(forms.ModelForm):
    days = DaysField(
        label="Days after the infusion",
        help_text="Whole numbers separated by commas, e.g. 1, 7, 14, 30, 42, 90, 180.",
    )

    class Meta:
        model = FollowUpSchedule
        fields = ["name", "days", "notes", "is_active", "is_default", "needs_review"]


@admin.register(FollowUpSchedule)
class FollowUpScheduleAdmin(CapabilityAdmin):
    capability = Can.CONFIGURE_CLINICAL
    form = FollowUpScheduleForm
    list_display = ["name", "days_text", "is_default", "needs_review", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InfusionChair)
class InfusionChairAdmin(CapabilityAdmin):
    capability = Can.CONFIGURE_CLINIC
    list_display = ["name", "location", "is_active"]
    list_filter = ["location", "is_active"]
