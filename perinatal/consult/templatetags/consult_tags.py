from django import template

from perinatal.consult.models import ConsultationNote

register = template.Library()


@register.simple_tag
def consultation_notes(patient):
    """A patient's notes, newest first, with their decisions: one query for the chart."""
    return list(
        ConsultationNote.objects.filter(patient=patient).select_related(
            "assessment", "clinician", "signed_by"
        )
    )
