"""Publish the default consent forms (English and Spanish), labelled for the medical director to
review. Forms a clinic already has are left alone."""

from django.db import migrations


def install_defaults(apps, schema_editor):
    from perinatal.consents.defaults import install

    install(apps.get_model("consents", "ConsentTemplate"))


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]

    operations = [migrations.RunPython(install_defaults, migrations.RunPython.noop)]
