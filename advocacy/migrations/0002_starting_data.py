from django.db import migrations

from advocacy.reference import ensure_case_types, ensure_issue_categories


def load(apps, schema_editor):
    ensure_issue_categories(apps.get_model("advocacy", "IssueCategory"))
    ensure_case_types(apps.get_model("advocacy", "CaseType"), apps.get_model("advocacy", "CaseTypeVersion"),
                      apps.get_model("advocacy", "StepRule"))


class Migration(migrations.Migration):
    dependencies = [("advocacy", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
