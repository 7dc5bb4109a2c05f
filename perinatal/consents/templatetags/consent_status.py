from django import template

register = template.Library()


@register.inclusion_tag("consents/_chart_summary.html")
def consent_summary(patient):
    """Where each of her forms stands, for the chart (a fixed number of queries)."""
    from perinatal.consents.staff_views import consent_rows

    return {"patient": patient, "rows": consent_rows(patient)}
