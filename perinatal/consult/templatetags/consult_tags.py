from django import template

register = template.Library()


@register.simple_tag
def consultation_notes(patient):
    """A patient's notes, newest first, with their decisions (two queries)."""
    from perinatal.consult.sources import notes_of

    return notes_of(patient)
