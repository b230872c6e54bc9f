"""Membership documents stored before documents had subjects keep their files and download links:
rows in the old shape (owner, membership kind, subject_key) migrate to (kind, subject) and download
through the door at the same URL."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mae_portal.documents import documents_of
from mae_portal.models import StoredDocument
from members.models import Payment
from tests.members.test_documents import join

BEFORE = [("mae_portal", "0005_email_attachment")]  # everything after it (members' data migration too) is undone


def _executor():
    ContentType.objects.clear_cache()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_old_documents_migrate_to_subjects_and_download_at_the_same_url(client, member, staff, settings):
    record = member.member
    payment = join(record)
    Payment.objects.filter(pk=payment.pk).update(status="succeeded", paid_at=timezone.now())
    term = payment.term

    executor = _executor()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("mae_portal", "StoredDocument")
    rows = [("receipt", f"payment:{payment.pk}"), ("card", f"term:{term.pk}"), ("coverage_letter", f"term:{term.pk}"),
            ("member_record", ""), ("member_record", "")]
    made = {}
    for kind, key in rows:
        document = old.objects.create(owner_id=member.pk, kind=kind, subject_key=key, title=f"Old {kind}",
                                      download_name=f"mae-{kind}.pdf", status="ready")
        content = b"%PDF-1.7\n% stored before the migration: " + kind.encode()
        document.file.save(f"{document.pk}.pdf", ContentFile(content))
        made[document.pk] = (kind, document.file.name, content)

    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    assert documents_of(payment, kind="receipt").count() == 1
    assert set(documents_of(term).values_list("kind", flat=True)) == {"card", "coverage_letter"}
    copies = documents_of(record, kind="member_record").order_by("copy_number")
    assert list(copies.values_list("copy_number", flat=True)) == [1, 2]
    for pk, (kind, path, content) in made.items():
        document = StoredDocument.objects.get(pk=pk)
        assert (document.kind, document.file.name, document.owner_id) == (kind, path, member.pk)
        assert document.origin == "generated" and document.content_type == "application/pdf"
        for user, status in ((member, 200), (staff, 200)):
            client.force_login(user)
            response = client.get(f"/documents/{pk}/")
            assert response.status_code == status
            assert b"".join(response.streaming_content) == content
            assert response["Content-Disposition"] == f'attachment; filename="mae-{kind}.pdf"'
