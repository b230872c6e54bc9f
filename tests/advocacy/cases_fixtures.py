"""Shared set-up of the intake and case-page tests: a paid-up member, a lapsed one, requests and cases."""

from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from advocacy.models import CaseDocument, CaseNote, CaseUpdate
from advocacy.services.requests import CASE_DOCUMENT_KIND
from mae_portal.models import StoredDocument
from members.models import Payment
from tests.advocacy.factories import GrievanceCaseFactory, RepresentationRequestFactory
from tests.factories import MemberFactory, UserFactory, WorksiteFactory
from tests.members.test_documents import join, pay_by_card
from tests.portal.test_uploads import good_pdf

INCIDENT = date(2026, 10, 20)  # inside the 2026-27 term of a member who joined on Oct 15, 2026
TODAY = date(2026, 11, 2)
PRIVATE_NOTE = "PRIVATE-NOTE: the principal admitted the route change to me off the record"
PRIVATE_TITLE = "private-strategy-memo.pdf"


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("members.clock.today", lambda: TODAY)
    return TODAY


@pytest.fixture
def paid_member(member, django_capture_on_commit_callbacks):
    """The `member` persona with a paid 2026-27 ESP full-time term (joined Oct 15, 2026)."""
    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(payment)
    # Paid on the day of joining (the sandbox stamps the real time): the term covers the incident date.
    Payment.objects.filter(pk=payment.pk).update(paid_at=datetime(2026, 10, 15, 17, 0, tzinfo=UTC))
    return member


@pytest.fixture
def worksite_a(world):
    return WorksiteFactory(district=world.district_a, name="Tupelo High School")


def pdf_file(name="evaluation.pdf"):
    return SimpleUploadedFile(name, good_pdf(), content_type="application/pdf")


def case_for(member_user, director, **kwargs):
    return GrievanceCaseFactory(grievant=member_user.member, director=director, **kwargs)


def request_for(member_user, **kwargs):
    return RepresentationRequestFactory(member=member_user.member, **kwargs)


def add_document(case, actor, *, title, shared, request=None):
    document = StoredDocument.objects.create(
        kind=CASE_DOCUMENT_KIND, subject=case or request, origin=StoredDocument.Origin.UPLOADED,
        content_type="application/pdf", original_name=title, title=title, download_name=title,
        status=StoredDocument.Status.READY, size=10,
        copy_number=StoredDocument.objects.filter(kind=CASE_DOCUMENT_KIND, subject_id=str((case or request).pk)).count())
    from django.core.files.base import ContentFile

    document.file.save(f"{document.pk}.pdf", ContentFile(good_pdf()), save=True)
    return CaseDocument.objects.create(case=case, request=request, document=document, shared=shared, added_by=actor)


def with_private_and_shared(case, director):
    """A private note, a private document, a shared document and a shared update on `case`."""
    CaseNote.objects.create(case=case, author=director, body=PRIVATE_NOTE)
    private = add_document(case, director, title=PRIVATE_TITLE, shared=False)
    shared = add_document(case, director, title="shared-letter-to-principal.pdf", shared=True)
    CaseUpdate.objects.create(case=case, author=director, body="We filed the level 1 grievance today.")
    return private, shared


def other_member(world, email="other@example.org", district=None):
    user = UserFactory(email=email)
    MemberFactory(user=user, employer_district=district or world.district_a, local=world.local_a)
    return user
