from django.db import migrations

from members.reference import ensure_career_fields


def load(apps, schema_editor):
    ensure_career_fields(apps.get_model("esp", "CareerField"))


class Migration(migrations.Migration):
    dependencies = [("esp", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
