"""The defaults a new clinic starts from, labelled for the medical director to review.

Protocol: ketamine 0.5 mg/kg IV over 40 minutes, the most common regimen in the literature and
in trials (Andrade 2017; Talati 2019 — clinical reference section 5.2). Follow-up: the days the
product brief names (1, 7, 14, 30, 42, 90, 180 after the infusion). Both are data the medical
director owns: edit, replace or retire them in Settings; nothing in the code reads these numbers.
"""

from decimal import Decimal

from django.db import migrations

PROTOCOL = {
    "name": "Ketamine 0.5 mg/kg over 40 minutes (default — review)",
    "dose_mg_per_kg": Decimal("0.50"),
    "minutes": 40,
    "route": "iv",
    "notes": (
        "Shipped as a starting point. Some patients respond to 0.1 mg/kg and others need up "
        "to 0.75 mg/kg; how often to repeat is best decided per patient."
    ),
    "source": (
        "Andrade C. Ketamine for depression, 4. J Clin Psychiatry 2017;78(7):e852-e857, "
        "doi:10.4088/JCP.17f11738. Talati SK, Sharma M. Ind J Priv Psychiatry 2019;13(2):31-36, "
        "doi:10.5005/jp-journals-10067-0041 (0.5 mg/kg over 40 minutes). Clinical reference, "
        "section 5.2."
    ),
    "needs_review": True,
    "is_active": True,
    "is_default": True,
}
FOLLOW_UP = {
    "name": "Standard follow-up (default — review)",
    "days": [1, 7, 14, 30, 42, 90, 180],
    "notes": (
        "Day 1 checks side effects; days 7 to 180 measure mood (42 days matches the usual "
        "postpartum visit). Shipped as a starting point."
    ),
    "needs_review": True,
    "is_active": True,
    "is_default": True,
}


def add_defaults(apps, schema_editor):
    Protocol = apps.get_model("plans", "Protocol")
    FollowUpSchedule = apps.get_model("plans", "FollowUpSchedule")
    if not Protocol.objects.filter(is_default=True).exists():
        Protocol.objects.get_or_create(name=PROTOCOL["name"], defaults=PROTOCOL)
    if not FollowUpSchedule.objects.filter(is_default=True).exists():
        FollowUpSchedule.objects.get_or_create(name=FOLLOW_UP["name"], defaults=FOLLOW_UP)


def remove_untouched_defaults(apps, schema_editor):
    for model, values in (("Protocol", PROTOCOL), ("FollowUpSchedule", FOLLOW_UP)):
        apps.get_model("plans", model).objects.filter(
            name=values["name"], needs_review=True, plans__isnull=True
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_treatment_plans")]

    operations = [migrations.RunPython(add_defaults, remove_untouched_defaults)]
