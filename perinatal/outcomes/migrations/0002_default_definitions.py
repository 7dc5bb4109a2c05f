"""The outcome definitions as shipped: one row, marked for the medical director to review."""

from django.db import migrations


def add_defaults(apps, schema_editor):
    definitions = apps.get_model("outcomes", "OutcomeSettings")
    if not definitions.objects.exists():
        definitions.objects.create(durability_days=[42, 90])


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_outcome_settings")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
