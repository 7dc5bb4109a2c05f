"""The OB directory moves here from the patients app, and her OB leaves the patient record.

Three steps, so that every row stays where it is: this migration takes ``Obstetrician`` into
this app's state on its existing table (no database change), creates ``PatientOb`` and copies
each patient's OB into it; ``patients.0002`` then drops the three columns from the patient
table and forgets the model; ``obcare.0003`` renames the table to this app's name.
"""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import perinatal.clinic.models


def copy_to_patient_ob(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    PatientOb = apps.get_model("obcare", "PatientOb")
    with_ob = (
        Patient.objects.filter(obstetrician__isnull=False)
        | Patient.objects.exclude(ob_name_given="")
        | Patient.objects.exclude(ob_practice_given="")
    )
    rows = with_ob.values_list("pk", "obstetrician_id", "ob_name_given", "ob_practice_given")
    PatientOb.objects.bulk_create(
        [
            PatientOb(
                patient_id=pk,
                obstetrician_id=obstetrician_id,
                name_given=name_given,
                practice_given=practice_given,
            )
            for pk, obstetrician_id, name_given, practice_given in rows.iterator()
        ],
        batch_size=500,
    )


def copy_back_to_patient(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    PatientOb = apps.get_model("obcare", "PatientOb")
    for row in PatientOb.objects.iterator():
        Patient.objects.filter(pk=row.patient_id).update(
            obstetrician_id=row.obstetrician_id,
            ob_name_given=row.name_given,
            ob_practice_given=row.practice_given,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("obcare", "0001_care_plan_letters"),
        ("patients", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Obstetrician",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        ("practice", models.CharField(blank=True, max_length=160, verbose_name="practice")),
                        ("phone", models.CharField(blank=True, max_length=20, validators=[perinatal.clinic.models.validate_phone], verbose_name="phone")),
                        ("fax", models.CharField(blank=True, max_length=20, validators=[perinatal.clinic.models.validate_phone], verbose_name="fax")),
                        ("email", models.EmailField(blank=True, max_length=254, verbose_name="email")),
                        ("npi", models.CharField(blank=True, max_length=10, validators=[django.core.validators.RegexValidator("^\\d{10}$", "An NPI is 10 digits.")], verbose_name="NPI")),
                        ("is_active", models.BooleanField(default=True, verbose_name="in use")),
                    ],
                    options={
                        "verbose_name": "obstetrician or midwife",
                        "verbose_name_plural": "OB directory",
                        "ordering": ["name", "practice"],
                        "db_table": "patients_obstetrician",  # renamed in 0003
                    },
                ),
                migrations.AlterField(
                    model_name="careplanletter",
                    name="obstetrician",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="letters", to="obcare.obstetrician"),
                ),
            ],
        ),
        migrations.CreateModel(
            name="PatientOb",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name_given", models.CharField(blank=True, max_length=120, verbose_name="OB as she named them")),
                ("practice_given", models.CharField(blank=True, max_length=160, verbose_name="practice as she named it")),
                ("obstetrician", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="patient_obs", to="obcare.obstetrician", verbose_name="obstetrician or midwife")),
                ("patient", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="ob", to="patients.patient")),
            ],
            options={
                "verbose_name": "her OB",
                "verbose_name_plural": "her OB",
            },
        ),
        migrations.RunPython(copy_to_patient_ob, copy_back_to_patient),
    ]
