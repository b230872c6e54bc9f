"""Membership documents: the dues split on receipts, receipts, cards, coverage letters and signed
authorizations built once (however often their tasks run), read back from the PDF, and the welcome email."""

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

import mae_portal.documents as core_documents
from mae_portal.documents import document_build, document_request, documents_of
from mae_portal.models import EmailDelivery, StoredDocument
from mae_portal.tasks import build_document
from members import documents
from members.dues import Shares
from members.models import DraftAuthorization, MembershipCategory, MembershipTerm, Payment
from members.services.gateways.sandbox import SandboxGateway
from members.services.join import membership_join
from members.services.payments import gateway_event_handle, payment_record
from tests.factories import MemberFactory

JOIN_DAY = date(2026, 10, 15)
GOOD_ACCOUNT = "000123456789"
D = Decimal


# --- Helpers shared with the other membership test modules --------------------------------------------------


def pdf_text(document: StoredDocument) -> str:
    """A stored PDF's text, whitespace collapsed."""
    with document.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def deliver_event(event: dict) -> str:
    """Apply a sandbox event through the signed-webhook path, as the webhook view would."""
    gateway = SandboxGateway()
    body = json.dumps(event).encode()
    outcome = gateway.parse_webhook(body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body)})
    return gateway_event_handle(gateway="sandbox", outcome=outcome)


def pay_by_card(payment, card="4242424242424242") -> str:
    gateway = SandboxGateway()
    ok, message, label = gateway.outcome_for_card(card)
    return deliver_event(gateway.build_event(payment_key=payment.idempotency_key, succeeded=ok, message=message,
                                             method_label=label, method_token="sbx_card", amount=payment.amount))


def pay_by_bank(payment, account=GOOD_ACCOUNT) -> str:
    """The first installment at the sandbox checkout: the bank account is saved on the plan for later drafts."""
    gateway = SandboxGateway()
    ok, message, label = gateway.outcome_for_account(gateway.ROUTING, account)
    return deliver_event(gateway.build_event(payment_key=payment.idempotency_key, succeeded=ok, message=message,
                                             method_label=label, method_token=f"sbx_acct_{account}", amount=payment.amount))


def signature(name="Tamika Shelton", text="I authorize the Mississippi Association of Educators to draft my account."):
    return {"typed_name": name, "text": text, "ip": "203.0.113.7", "user_agent": "pytest",
            "signed_at": datetime(2026, 10, 15, 17, 30, tzinfo=UTC)}


def build(kind, subject):
    """Ask for a membership document of `subject` and build it inline, as the task would."""
    document = documents.membership_document_request(kind=kind, subject=subject)
    return document_build(document_id=document.pk) if document else None


def join(member, *, plan="annual", today=JOIN_DAY, key="join-1", category="esp-full-time", **kwargs) -> Payment:
    return membership_join(
        member=member, category=MembershipCategory.objects.get(code=category), plan_kind=plan,
        authorization=signature() if plan != "annual" else None, actor=None, today=today, idempotency_key=key,
        **kwargs,
    )


# --- Pure helpers ------------------------------------------------------------------------------------------------------

ESP = Shares(D("15.00"), D("190.00"), D("129.00"))


@pytest.mark.parametrize(("amount", "shares", "expected"), [
    (D("334.00"), ESP, (D("15.00"), D("190.00"), D("129.00"))),  # the whole year: the shares themselves
    (D("33.40"), ESP, (D("1.50"), D("19.00"), D("12.90"))),  # a tenth: exact
    # 2783 cents: 124.98 / 1583.14 / 1074.87 -> floors 124/1583/1074, the 2 cents left go to .98 and .87
    (D("27.83"), ESP, (D("1.25"), D("15.83"), D("10.75"))),
    (D("0.01"), Shares(D("1"), D("1"), D("1")), (D("0.01"), D("0.00"), D("0.00"))),  # a tie: local first
    (D("0.02"), Shares(D("1"), D("1"), D("1")), (D("0.01"), D("0.01"), D("0.00"))),
    (D("70.00"), Shares(D("0"), D("35"), D("35")), (D("0.00"), D("35.00"), D("35.00"))),  # retired: no local share
    (D("10.00"), Shares(D("0"), D("0"), D("0")), (D("0.00"), D("10.00"), D("0.00"))),  # no shares: all to MAE
    (D("-33.40"), ESP, (D("-1.50"), D("-19.00"), D("-12.90"))),  # a refund splits the same way
    (D("306.17"), Shares(D("13.75"), D("174.17"), D("118.25")), (D("13.75"), D("174.17"), D("118.25"))),
])
def test_allocate_shares(amount, shares, expected):
    split = documents.allocate_shares(amount, shares)
    assert (split.local, split.state, split.national) == expected
    assert split.total == amount


@pytest.mark.parametrize("cents", [1, 2, 3, 7, 99, 101, 2783, 3341, 15517, 33399])
def test_allocate_shares_always_adds_up_and_stays_near_the_proportion(cents):
    amount = D(cents) / 100
    split = documents.allocate_shares(amount, ESP)
    assert split.total == amount
    for part, share in zip((split.local, split.state, split.national), (ESP.local, ESP.state, ESP.national), strict=True):
        assert abs(part - amount * share / ESP.total) < D("0.01")


@pytest.mark.parametrize(("method", "check", "label", "expected"), [
    ("check", "1042", "", "Check no. 1042"),
    ("check", "", "", "Check"),
    ("cash", "", "Card ending 4242", "Cash"),
    ("card", "", "Card ending 4242", "Card ending 4242"),
    ("card", "", "Checking ending 6789", "Card"),  # the plan's label is about another method
    ("bank_draft", "", "Checking ending 6789", "Bank draft (Checking ending 6789)"),
    ("bank_draft", "", "", "Bank draft"),
])
def test_payment_method_text(method, check, label, expected):
    assert documents.payment_method_text(method=method, check_number=check, plan_label=label) == expected


# --- Documents and emails ------------------------------------------------------------------------------------------------


def test_paid_join_builds_receipt_card_and_letter_once_and_welcomes_once(member, django_capture_on_commit_callbacks):
    record = member.member
    payment = join(record)
    with django_capture_on_commit_callbacks(execute=True):
        assert pay_by_card(payment) == "succeeded"
    term = payment.term
    kinds = dict(StoredDocument.objects.filter(owner=member).values_list("kind", "status"))
    assert kinds == {"receipt": "ready", "card": "ready", "coverage_letter": "ready"}
    assert EmailDelivery.objects.filter(template_name="membership-welcome").count() == 1
    assert len(mail.outbox) == 1
    welcome = mail.outbox[0]
    assert welcome.to == ["member@example.org"]
    assert "2026-27" in welcome.subject
    assert "ESP full-time" in welcome.body and "$306.17" in welcome.body and reverse("dashboard") in welcome.body

    # The tasks run again (a retry, a replayed message), or the documents are asked for again: nothing new
    # is built or sent.
    with django_capture_on_commit_callbacks(execute=True):
        for document in StoredDocument.objects.all():
            build_document.delay(str(document.pk))
        documents.membership_document_request(kind="receipt", subject=payment)
        documents.membership_document_request(kind="card", subject=term)
        documents.membership_welcome_send(payment_pk=payment.pk)
        documents.membership_welcome_send(payment_pk=payment.pk)
    assert StoredDocument.objects.filter(owner=member).count() == 3
    assert StoredDocument.objects.filter(status="ready").count() == 3
    assert EmailDelivery.objects.count() == 1 and len(mail.outbox) == 1


def test_receipt_reads_back_with_the_dues_split(member, django_capture_on_commit_callbacks):
    record = member.member
    payment = join(record)
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_card(payment)
    receipt = documents_of(payment, kind="receipt").get()
    text = pdf_text(receipt)
    term = payment.term
    split = documents.allocate_shares(payment.amount, Shares(term.local_share, term.state_share, term.national_share))
    assert split.total == D("306.17")
    for expected in [record.legal_name, str(record.member_number), "2026-27", "$306.17", "Card ending 4242",
                     f"${split.local}", f"${split.state}", f"${split.national}", "Tupelo Association of Educators",
                     "Mississippi Association of Educators (MAE)", "National Education Association (NEA)"]:
        assert expected in text, expected
    assert receipt.download_name == f"mae-receipt-{record.member_number}-{payment.pk}.pdf"


def test_card_has_name_number_year_and_the_verification_url(member, django_capture_on_commit_callbacks):
    record = member.member
    payment = join(record)
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_card(payment)
    term = payment.term
    card = documents_of(term, kind="card").get()
    text = pdf_text(card)
    url = f"{settings.SITE_URL}/verify/{term.verification_token}/"
    assert documents.verify_url(term) == url
    for expected in [record.display_name, str(record.member_number), "2026-27", "August 31, 2027", "ESP full-time",
                     url]:
        assert expected in text, expected
    with card.file.open("rb") as handle:
        page = PdfReader(handle).pages[0]
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((243, 153), abs=0.5)  # 3.375 x 2.125 in


def test_qr_code_is_an_svg_data_uri():
    uri = documents.qr_code_data_uri("https://portal.example/verify/x/")
    assert uri.startswith("data:image/svg+xml;base64,")


def test_coverage_letter_states_the_term_dates(member, django_capture_on_commit_callbacks):
    record = member.member
    payment = join(record)
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_card(payment)
    letter = documents_of(payment.term, kind="coverage_letter").get()
    text = pdf_text(letter)
    for expected in ["To whom it may concern", record.legal_name, str(record.member_number), "ESP full-time",
                     "October 15, 2026 through August 31, 2027", "Educators Employment Liability",
                     "Membership Department"]:
        assert expected in text, expected


def test_authorization_keeps_exact_text_and_escapes_member_text(member, django_capture_on_commit_callbacks):
    record = member.member
    agreed = "I authorize MAE to draft <b>my</b> account & stop when I say so."
    with django_capture_on_commit_callbacks(execute=True):
        membership_join(
            member=record, category=MembershipCategory.objects.get(code="esp-full-time"), plan_kind="monthly",
            draft_day=15, authorization=signature(name="<script>Tamika</script> Shelton", text=agreed), actor=None,
            today=JOIN_DAY, idempotency_key="join-auth",
        )
    document = StoredDocument.objects.get(kind="authorization")
    text = pdf_text(document)
    assert agreed in text
    assert "<script>Tamika</script> Shelton" in text
    assert "October 15, 2026, 12:30:00 PM Central Time (CDT)" in text  # 17:30 UTC
    assert "203.0.113.7" in text and settings.DRAFT_AUTHORIZATION_VERSION in text
    assert build("authorization", DraftAuthorization.objects.get(pk=document.subject_id)) == document
    assert StoredDocument.objects.filter(kind="authorization").count() == 1


def test_the_signed_authorization_is_emailed_once_as_a_pdf(member, django_capture_on_commit_callbacks, mailoutbox):
    record = member.member
    with django_capture_on_commit_callbacks(execute=True):
        membership_join(
            member=record, category=MembershipCategory.objects.get(code="esp-full-time"), plan_kind="monthly",
            draft_day=15, authorization=signature(), actor=None, today=JOIN_DAY, idempotency_key="join-auth-mail",
        )
    document = StoredDocument.objects.get(kind="authorization")
    with django_capture_on_commit_callbacks(execute=True):  # a retried task sends nothing more
        build("authorization", document.subject)
        build_document.delay(str(document.pk))
    copies = [m for m in mailoutbox if "authorization" in m.subject.lower()]
    assert len(copies) == 1 and copies[0].to == [record.email]
    (name, content, mimetype), = copies[0].attachments
    assert mimetype == "application/pdf" and name == document.download_name and content.startswith(b"%PDF")


def test_no_documents_without_an_account_but_the_welcome_still_goes(world, staff, django_capture_on_commit_callbacks):
    record = MemberFactory(user=None, email="walkin@example.net", employer_district=world.district_a, local=world.local_a)
    payment = join(record, key="walk-in")
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(term=payment.term, amount=payment.amount, method="check", check_number="1042",
                                actor=staff, idempotency_key="check-1")
    assert not StoredDocument.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["walkin@example.net"]
    assert reverse("account_signup") in mail.outbox[0].body


def test_unpaid_or_unknown_subjects_build_nothing(member):
    payment = join(member.member)
    assert build("receipt", payment) is None  # still pending: the row asked for is removed
    gone = MembershipTerm(pk=999999, member=member.member)
    document, _ = document_request(kind="card", subject=gone, owner=member)  # a term deleted since it was asked for
    assert document_build(document_id=document.pk) is None
    assert not StoredDocument.objects.exists()


def test_a_failed_rendering_is_marked_and_the_next_try_builds_it(member, monkeypatch, django_capture_on_commit_callbacks):
    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(payment)
    real_store = core_documents.store_pdf

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(core_documents, "store_pdf", broken)
    with pytest.raises(OSError):
        build("card", payment.term)
    assert StoredDocument.objects.get(kind="card").status == "failed"
    monkeypatch.setattr(core_documents, "store_pdf", real_store)
    assert build("card", payment.term).status == "ready"
    assert StoredDocument.objects.filter(kind="card").count() == 1
