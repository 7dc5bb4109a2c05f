"""The clinic's gate settings as shipped: one row of defaults, marked for the medical director
to review (no published source fixes a consultation's validity or when to ask her OB)."""

from django.db import migrations


def add_defaults(apps, schema_editor):
    settings = apps.get_model("pathway", "GateSettings")
    if not settings.objects.exists():
        settings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("pathway", "0001_gate_settings_and_reconfirmation")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
