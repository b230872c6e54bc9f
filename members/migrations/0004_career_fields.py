"""Career fields move from esp to members, keeping every row and primary key.

Why this shape:

- State first (SeparateDatabaseAndState): members gains CareerField on the existing table, and the member's
  career_field foreign key is re-pointed in the state only. The database needs nothing for the key: a
  PostgreSQL foreign key references the table itself, not its name, so it follows the rename below.
- Then AlterModelTable renames esp_careerfield to members_careerfield, so the table is named like every
  other members table (rather than keeping db_table = "esp_careerfield" for ever). PostgreSQL renames in
  place: rows, ids and the id's identity sequence stay as they are. The constraint and index names keep their
  esp_ prefix; Django finds constraints by introspection, so that is cosmetic.
- The content type is relabelled esp.careerfield -> members.careerfield, so its four permissions, the groups
  and users holding them, and audit-log entries about career fields follow the model. On a fresh database
  there is no content type yet (they are made after migrate) and nothing needs relabelling. If both exist,
  the esp one is left stale (remove_stale_contenttypes clears it) and the group sync grants the members ones.
- esp/migrations/0003_career_fields_moved.py then drops esp's CareerField from the state only.
"""

import django.db.models.deletion
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, *, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=new, model="careerfield").exists():
        return
    ContentType.objects.filter(app_label=old, model="careerfield").update(app_label=new)
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    LiveContentType.objects.clear_cache()  # this process may have cached the old label


def forwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="esp", new="members")


def backwards(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="members", new="esp")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("esp", "0002_career_fields"),
        ("members", "0003_default_categories"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CareerField",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("slug", models.SlugField(unique=True)),
                        ("name", models.CharField(max_length=100, unique=True)),
                        ("kind", models.CharField(choices=[("esp", "Education Support Professional"), ("professional", "Teacher or licensed professional"), ("other", "Other")], max_length=20)),
                        ("summary", models.CharField(blank=True, max_length=300)),
                        ("description", models.TextField(blank=True)),
                        ("example_jobs", models.CharField(blank=True, max_length=400)),
                        ("sort_order", models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={"ordering": ["sort_order", "name"], "db_table": "esp_careerfield"},
                ),
                migrations.AlterField(
                    model_name="member",
                    name="career_field",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="members", to="members.careerfield"),
                ),
            ],
        ),
        migrations.AlterModelTable(name="careerfield", table=None),
        migrations.RunPython(forwards, backwards),
    ]
