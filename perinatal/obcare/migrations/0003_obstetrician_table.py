"""The OB directory's table takes this app's name, now that the patients app has let it go."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("obcare", "0002_obstetrician_and_patient_ob"),
        ("patients", "0002_ob_moves_to_obcare"),
    ]

    operations = [
        migrations.AlterModelTable(name="obstetrician", table=None),
    ]
