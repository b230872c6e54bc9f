"""Generic stored documents: one door with each kind's scope, one idempotent build task, and PENDING rows
that are enough to finish the work later (a broker that was down loses nothing)."""

from pathlib import Path

import pytest
from django.db.models import Q

from mae_portal.documents import (
    DocumentKind,
    document_build,
    document_request,
    documents_of,
    documents_visible_to,
    register_document_kind,
    unregister_document_kind,
)
from mae_portal.models import StoredDocument
from mae_portal.tasks import build_document
from tests.factories import MemberFactory, UserFactory
from tests.members.test_documents import join, pay_by_card, pdf_text


@pytest.fixture
def receipt(member, django_capture_on_commit_callbacks):
    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_card(payment)
    document = documents_of(payment, kind="receipt").get()
    assert document.status == "ready" and document.owner == member
    return document


def _get(client, user, document):
    if user is not None:
        client.force_login(user)
    response = client.get(f"/documents/{document.pk}/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.mark.parametrize("persona", ["member", "staff"])
def test_a_receipt_opens_for_its_member_and_membership_staff(client, request, receipt, persona):
    response, body = _get(client, request.getfixturevalue(persona), receipt)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{receipt.download_name}"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert "Receipt for membership dues" in pdf_text(receipt) and body.startswith(b"%PDF-")


@pytest.mark.parametrize("persona", ["leader", "director", "director2", "outsider", "reviewer"])
def test_a_receipt_is_404_for_everyone_else(client, request, receipt, persona):
    # The leader is another member of the same local: a member's receipt is theirs alone.
    response, _ = _get(client, request.getfixturevalue(persona), receipt)
    assert response.status_code == 404


def test_anonymous_gets_404_and_no_document(client, receipt):
    response, body = _get(client, None, receipt)
    assert response.status_code == 404
    assert b"%PDF" not in body


def test_a_kind_scope_decides_who_else_may_open_it(client, member, director, director2, world):
    # A later app's kind, say a case letter: its member and their region's director, and nobody else.
    register_document_kind(DocumentKind(
        name="test_case_letter", label="Case letter",
        visible_to=lambda user: Q(owner=user) | Q(owner__member__employer_district__region__directors=user),
    ))
    try:
        letter = StoredDocument.objects.create(kind="test_case_letter", subject=member.member, owner=member,
                                               title="Case letter", download_name="letter.pdf", status="ready")
        assert set(documents_visible_to(member)) == {letter}
        assert set(documents_visible_to(director)) == {letter}
        assert not documents_visible_to(director2).exists()
    finally:
        unregister_document_kind("test_case_letter")
    assert not documents_visible_to(member).filter(pk=letter.pk).exists()  # an unknown kind opens for nobody


def test_the_build_task_is_idempotent_one_file(member, settings, django_capture_on_commit_callbacks):
    record = member.member
    with django_capture_on_commit_callbacks(execute=False):  # the broker is down: nothing reaches a worker
        document, created = document_request(kind="member_record", subject=record, owner=member)
    assert created and document.status == "pending"
    build_document(str(document.pk))
    build_document(str(document.pk))
    document.refresh_from_db()
    assert document.status == "ready"
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name == f"{document.pk}.pdf"
    assert str(record.member_number) in pdf_text(document)


def test_a_pending_row_alone_is_enough_to_build_it_later(member, django_capture_on_commit_callbacks, mailoutbox):
    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pay_by_card(payment)
    # As the sweep will: every PENDING row is enough to finish its document, by id alone.
    StoredDocument.objects.update(status="pending", file="", size=0)
    for document in StoredDocument.objects.filter(status="pending"):
        build_document.delay(str(document.pk))
    assert callbacks
    assert set(StoredDocument.objects.values_list("kind", "status")) == {
        ("receipt", "ready"), ("card", "ready"), ("coverage_letter", "ready")}


def test_asking_again_for_a_document_enqueues_nothing_and_a_failed_one_is_built_again(
        member, django_capture_on_commit_callbacks):
    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(payment)
    StoredDocument.objects.all().delete()  # the payment recorded its documents; start from none
    with django_capture_on_commit_callbacks() as callbacks:
        first, created = document_request(kind="receipt", subject=payment, owner=member)
        again, created_again = document_request(kind="receipt", subject=payment, owner=member)
    assert first == again and created and not created_again and len(callbacks) == 1
    StoredDocument.objects.filter(pk=first.pk).update(status="failed")
    with django_capture_on_commit_callbacks() as callbacks:
        retry, _ = document_request(kind="receipt", subject=payment, owner=member)
    assert retry.pk == first.pk and retry.status == "pending" and len(callbacks) == 1
    assert document_build(document_id=first.pk).status == "ready"
    assert StoredDocument.objects.filter(kind="receipt").count() == 1


def test_a_subject_of_the_wrong_model_is_a_programming_error(member):
    with pytest.raises(TypeError):
        document_request(kind="receipt", subject=member.member, owner=member)


def test_the_dashboard_lists_my_documents_of_any_kind(client, member, receipt):
    other = UserFactory(email="other@example.org")
    MemberFactory(user=other)
    StoredDocument.objects.create(kind="member_record", subject=other.member, owner=other, title="Not mine",
                                  download_name="x.pdf", status="ready")
    client.force_login(member)
    page = client.get("/documents/panel/").content.decode()
    assert receipt.title in page and f"/documents/{receipt.pk}/" in page and "Not mine" not in page


def test_the_dashboard_lists_only_own_documents_their_kind_opens_to_them(client, member, staff):
    """The dashboard's list reads the owner's documents plainly, but a kind whose scope does not open a
    document to its owner still keeps it off the list (the full scope is used then)."""
    register_document_kind(DocumentKind(name="test_sealed", label="Sealed", visible_to=lambda user: Q(pk__isnull=True)))
    try:
        open_one = StoredDocument.objects.create(kind="member_record", subject=member.member, owner=member,
                                                 title="Open record copy", download_name="a.pdf", status="ready")
        StoredDocument.objects.create(kind="test_sealed", subject=member.member, owner=member,
                                      title="Sealed paper", download_name="b.pdf", status="ready")
        StoredDocument.objects.create(kind="test_unregistered", subject=member.member, owner=member,
                                      title="Unknown kind", download_name="c.pdf", status="ready")
        client.force_login(member)
        html = client.get("/dashboard/").content.decode()
        assert open_one.title in html and "Sealed paper" not in html and "Unknown kind" not in html
    finally:
        unregister_document_kind("test_sealed")
