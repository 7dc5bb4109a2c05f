"""The infusion day's settings as shipped: one row of defaults with the discharge checklist,
marked for the medical director to review (most of these numbers have no published source)."""

from django.db import migrations

from perinatal.infusion.models import DEFAULT_CHECKLIST


def add_defaults(apps, schema_editor):
    settings = apps.get_model("infusion", "DaySettings")
    if not settings.objects.exists():
        settings.objects.create(discharge_checklist=DEFAULT_CHECKLIST)


class Migration(migrations.Migration):
    dependencies = [("infusion", "0001_infusion_day")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
