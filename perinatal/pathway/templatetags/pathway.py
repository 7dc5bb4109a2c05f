"""The pathway on any page about her: ``{% load pathway %}``, then
``{% risk_banner patient %}``, ``{% pathway_bar patient %}`` or ``{% infusion_flag appointment %}``.
Each reads the records in a fixed number of queries."""

from django import template

from perinatal.pathway import episode, gates
from perinatal.pathway.risks import risks_of

register = template.Library()


@register.inclusion_tag("pathway/_risk_banner.html", takes_context=True)
def risk_banner(context, patient):
    clinical = "chart.clinical" in context.get("staff_can", ())
    risks = [r for r in risks_of(patient) if clinical or not r.clinical] if patient.pk else []
    return {"risks": risks}


@register.inclusion_tag("pathway/_bar.html", takes_context=True)
def pathway_bar(context, patient):
    if "chart.clinical" not in context.get("staff_can", ()):
        return {"episode": None}
    ev = gates.evidence(patient)
    return {
        "episode": episode.episode_of(ev),
        "past": episode.past_episodes(ev),
    }


@register.inclusion_tag("pathway/_infusion_flag.html", takes_context=True)
def infusion_flag(context, appointment):
    flag = None
    if appointment.plan_id and appointment.patient_id and appointment.status == "booked":
        flag = gates.flag_of(gates.evidence(appointment.patient), appointment)
    return {
        "flag": flag,
        "appointment": appointment,
        "may_reconfirm": "plan.write" in context.get("staff_can", ()),
        "csrf_token": context.get("csrf_token"),
    }
