"""CareerField now lives in members (members/migrations/0004_career_fields.py renamed its table and kept its
rows); esp forgets it in the migration state only, so nothing is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("esp", "0002_career_fields"),
        ("members", "0004_career_fields"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="CareerField")]),
    ]
