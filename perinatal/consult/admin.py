"""The medical director's configuration: the eligibility checklist and the interacting drugs.

Shipped rows carry "default — review before use" until the director reviews them (the action
below, or unticking "shipped default"). Consultation notes are not here: they are clinical
records, written and read on the back-office pages.
"""

from django.contrib import admin, messages

from perinatal.accounts.admin_access import CapabilityAdmin
from perinatal.accounts.roles import Can
from perinatal.consult.models import DEFAULT_LABEL, EligibilityCriterion, InteractingDrug


@admin.display(description="review", boolean=False)
def review_state(obj) -> str:
    return DEFAULT_LABEL if obj.is_default else "reviewed"


@admin.action(description="Mark the selected rows as reviewed")
def mark_reviewed(modeladmin, request, queryset):
    # One save per row (not update()) so each change lands in the audit log.
    count = 0
    for row in queryset.filter(is_default=True):
        row.is_default = False
        row.save(update_fields=["is_default"])
        count += 1
    modeladmin.message_user(request, f"{count} marked as reviewed.", messages.SUCCESS)


@admin.register(EligibilityCriterion)
class EligibilityCriterionAdmin(CapabilityAdmin):
    capability = Can.CONFIGURE_CLINICAL
    list_display = ["text", "kind", review_state, "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["kind", "is_active", "is_default"]
    search_fields = ["text", "explanation"]
    actions = [mark_reviewed]
    fields = [
        "text",
        "explanation",
        "kind",
        "bound_to",
        "source",
        "order",
        "is_active",
        "is_default",
    ]


@admin.register(InteractingDrug)
class InteractingDrugAdmin(CapabilityAdmin):
    capability = Can.CONFIGURE_CLINICAL
    list_display = ["name", "severity", review_state, "note", "is_active", "order"]
    list_editable = ["is_active", "order"]
    list_filter = ["severity", "is_active", "is_default"]
    search_fields = ["name", "match_terms"]
    actions = [mark_reviewed]
    fields = [
        "name",
        "match_terms",
        "interaction",
        "severity",
        "source",
        "note",
        "order",
        "is_active",
        "is_default",
    ]
