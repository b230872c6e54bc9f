"""Give existing audit entries their subject: a member's own entries are about the member; entries about a
term, payment, plan, bank draft authorization or staff note belong to that row's member; any other row is
its own subject. Entries about no row (a roster export) keep none.

The audit table refuses UPDATE through a trigger (mae_portal 0003). This one-off backfill switches the
trigger off, fills the two new columns and switches it back on, all inside the migration's transaction,
so no other session ever sees the table writable.
"""

from django.db import migrations

TRIGGER = "mae_portal_auditlog_append_only"
OWNED_BY_MEMBER = ["membershipterm", "payment", "paymentplan", "draftauthorization", "membernote"]


def backfill(apps, schema_editor):
    AuditLog = apps.get_model("mae_portal", "AuditLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not AuditLog.objects.filter(subject_type__isnull=True, content_type__isnull=False).exists():
        return  # a new database: nothing to fill
    audit = AuditLog._meta.db_table
    types = {ct.model: ct.pk for ct in ContentType.objects.filter(app_label="members")}
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {audit} DISABLE TRIGGER {TRIGGER}")
        member_type = types.get("member")
        for model_name in OWNED_BY_MEMBER:
            if model_name not in types or member_type is None:
                continue  # no entry can point at a content type that does not exist
            table = apps.get_model("members", model_name)._meta.db_table
            cursor.execute(
                f"UPDATE {audit} AS a SET subject_type_id = %s, subject_id = t.member_id::text "
                f"FROM {table} AS t WHERE a.subject_type_id IS NULL AND a.content_type_id = %s "
                f"AND a.object_id = t.id::text",
                [member_type, types[model_name]],
            )
        # Members themselves, every other row, and rows deleted since (a note): their own subject.
        cursor.execute(
            f"UPDATE {audit} SET subject_type_id = content_type_id, subject_id = object_id "
            f"WHERE subject_type_id IS NULL AND content_type_id IS NOT NULL"
        )
        # The new subject_type foreign key is checked at commit; PostgreSQL will not alter a table with such
        # checks pending, so run them now, then switch the trigger back on.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {audit} ENABLE TRIGGER {TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("mae_portal", "0010_audit_subject"),
        ("members", "0006_documents_to_subjects"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    # Going back, mae_portal 0010 drops the columns themselves: nothing to undo here.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
