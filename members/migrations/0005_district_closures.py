"""Closure days per district, entered by staff, for the business calendar (mae_portal/calendar.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0004_career_fields")]

    operations = [
        migrations.CreateModel(
            name="DistrictClosure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                ("reason", models.CharField(help_text='Shown in deadline explanations, e.g. "snow day".', max_length=120)),
                ("district", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="closures", to="members.district")),
            ],
            options={
                "ordering": ["district__name", "day"],
                "constraints": [models.UniqueConstraint(fields=("district", "day"), name="district_closure_unique_day")],
            },
        ),
    ]
