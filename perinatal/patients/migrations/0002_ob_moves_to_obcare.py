"""Her OB leaves the patient record for ``obcare.PatientOb`` (copied there by obcare.0002), and
the OB directory's model now belongs to obcare (its table is renamed by obcare.0003)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("patients", "0001_initial"),
        ("obcare", "0002_obstetrician_and_patient_ob"),
    ]

    operations = [
        migrations.RemoveField(model_name="patient", name="obstetrician"),
        migrations.RemoveField(model_name="patient", name="ob_name_given"),
        migrations.RemoveField(model_name="patient", name="ob_practice_given"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Obstetrician")],
        ),
    ]
