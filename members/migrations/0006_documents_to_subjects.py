"""Membership documents move onto subjects: "payment:40" becomes (members.Payment, "40"), "term:12"
(members.MembershipTerm, "12"), "authorization:5" (members.DraftAuthorization, "5"); a member-record
copy (which had no subject key) belongs to its owner's Member, its copies numbered in the order they were
made. Kind names, UUID primary keys and file paths are unchanged, so existing download links keep working.
"""

from django.db import migrations

PREFIXES = {"payment": "payment", "term": "membershipterm", "authorization": "draftauthorization"}


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    StoredDocument = apps.get_model("mae_portal", "StoredDocument")
    Member = apps.get_model("members", "Member")
    types = {prefix: ContentType.objects.get_or_create(app_label="members", model=model)[0]
             for prefix, model in PREFIXES.items()}
    member_type = ContentType.objects.get_or_create(app_label="members", model="member")[0]
    members_by_user = dict(Member.objects.filter(user__isnull=False).values_list("user_id", "pk"))
    copies = {}
    for document in StoredDocument.objects.filter(subject_type__isnull=True).order_by("created_at", "pk"):
        document.origin, document.content_type = "generated", "application/pdf"
        prefix, _, pk = document.subject_key.partition(":")
        if prefix in types and pk:
            document.subject_type, document.subject_id = types[prefix], pk
        elif document.kind == "member_record" and document.owner_id in members_by_user:
            document.subject_type, document.subject_id = member_type, str(members_by_user[document.owner_id])
            copies[document.owner_id] = document.copy_number = copies.get(document.owner_id, 0) + 1
        # Anything else keeps no subject: its owner still sees it, and nothing is lost.
        document.save(update_fields=["origin", "content_type", "subject_type", "subject_id", "copy_number"])


def backward(apps, schema_editor):
    StoredDocument = apps.get_model("mae_portal", "StoredDocument")
    names = {model: prefix for prefix, model in PREFIXES.items()}
    for document in StoredDocument.objects.filter(subject_type__isnull=False).select_related("subject_type"):
        prefix = names.get(document.subject_type.model)
        document.subject_key = f"{prefix}:{document.subject_id}" if prefix else ""
        document.save(update_fields=["subject_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0005_district_closures"),
        ("mae_portal", "0006_generic_documents"),
    ]
    run_before = [("mae_portal", "0007_drop_document_legacy_fields")]

    operations = [migrations.RunPython(forward, backward)]
