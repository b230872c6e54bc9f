from django.conf import settings
from django.db import migrations, models

from mae_portal.user_versions import user_version_triggers

# mae_portal.user_versions: each user's version and everyone's (row 0), moved by triggers in the same transaction
# as the write. Bumps take their rows in user order, so two statements bumping the same users never deadlock.
FUNCTIONS = """
CREATE FUNCTION mae_portal_bump_user_versions(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO mae_portal_userversion (user_id, version)
    SELECT id, gen_random_uuid() FROM (SELECT DISTINCT id FROM unnest(ids) AS id WHERE id IS NOT NULL) AS s
    ORDER BY id
    ON CONFLICT (user_id) DO UPDATE SET version = EXCLUDED.version
$$;
CREATE FUNCTION mae_portal_bump_everyone_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mae_portal_bump_user_versions(ARRAY[0::bigint]);
    RETURN NULL;
END $$;
INSERT INTO mae_portal_userversion (user_id, version) VALUES (0, gen_random_uuid());
"""
UNFUNCTIONS = """
DROP FUNCTION IF EXISTS mae_portal_bump_everyone_version();
DROP FUNCTION IF EXISTS mae_portal_bump_user_versions(bigint[]);
"""
DOCUMENTS, UNDOCUMENTS = user_version_triggers("mae_portal_storeddocument", "SELECT owner_id FROM changed")


def users_sql(apps, schema_editor):
    """The user table's triggers: a version for every user, made with them and dropped with them."""
    table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    forward, _ = user_version_triggers(table, "SELECT id FROM changed")
    schema_editor.execute(forward)
    schema_editor.execute(f"""
CREATE FUNCTION mae_portal_drop_user_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM mae_portal_userversion WHERE user_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END $$;
DROP TRIGGER {table}_uv_delete ON {table};
CREATE TRIGGER {table}_uv_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION mae_portal_drop_user_versions();
INSERT INTO mae_portal_userversion (user_id, version) SELECT id, gen_random_uuid() FROM {table};
""")


def drop_users_sql(apps, schema_editor):
    table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    _, backward = user_version_triggers(table, "")
    schema_editor.execute(backward + "DROP FUNCTION IF EXISTS mae_portal_drop_user_versions();")


class Migration(migrations.Migration):

    dependencies = [
        ('mae_portal', '0010_audit_subject'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='UserVersion',
            fields=[
                ('user_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('version', models.UUIDField()),
            ],
        ),
        migrations.RunSQL(FUNCTIONS, UNFUNCTIONS),
        migrations.RunSQL(DOCUMENTS, UNDOCUMENTS),
        migrations.RunPython(users_sql, drop_users_sql),
    ]
