from django.db import migrations

GROUPS = [
    "Membership staff",
    "UniServ directors",
    "Region managers",
    "Awards staff",
    "Award reviewers",
    "Mentoring coordinators",
    "Local leaders",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


APPEND_ONLY = """
CREATE OR REPLACE FUNCTION mae_portal_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'mae_portal_auditlog is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER mae_portal_auditlog_append_only
    BEFORE UPDATE OR DELETE ON mae_portal_auditlog
    FOR EACH ROW EXECUTE FUNCTION mae_portal_auditlog_append_only();
"""

DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS mae_portal_auditlog_append_only ON mae_portal_auditlog;
DROP FUNCTION IF EXISTS mae_portal_auditlog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("mae_portal", "0002_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
    ]
