"""Membership documents and the emails that go with them: receipts, cards, coverage letters,
signed draft authorizations, the welcome email and the failed-draft email.

Each builder is idempotent: a document is keyed by (kind, subject_key) with a unique constraint, so a
retried or duplicated task finds the first document and renders nothing more; each email carries an
idempotency key, so it goes out once.
"""

import base64
import io
import logging
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from weasyprint.urls import FatalURLFetchingError

from mae_portal.emails import send_email
from mae_portal.models import StoredDocument
from mae_portal.pdf import store_pdf
from members import dues
from members.models import DraftAuthorization, Member, MembershipTerm, Payment

log = logging.getLogger(__name__)

CENT = Decimal("0.01")
SIGNATURE_TIMEZONE = ZoneInfo("America/Chicago")


# --- Pure helpers ----------------------------------------------------------------------------------------


def allocate_shares(amount: Decimal, shares: dues.Shares) -> dues.Shares:
    """Split `amount` over the local, state (MAE) and national (NEA) shares in proportion to `shares`.

    Cent-exact: the three parts always add up to `amount`. Each part is first rounded toward zero;
    the cents left over go to the parts with the largest remainders (local, then state, then national
    on a tie). With no shares to go by (a zero-dues term) the whole amount is MAE's, which collects it.
    """
    weights = [int((share / CENT).to_integral_value()) for share in (shares.local, shares.state, shares.national)]
    cents = int((amount / CENT).to_integral_value())
    sign, cents = (-1 if cents < 0 else 1), abs(cents)
    total = sum(weights)
    if total <= 0:
        parts = [0, cents, 0]
    else:
        parts = [cents * weight // total for weight in weights]
        remainders = [cents * weight % total for weight in weights]
        for index in sorted(range(3), key=lambda i: (-remainders[i], i))[: cents - sum(parts)]:
            parts[index] += 1
    local, state, national = (Decimal(sign * part) * CENT for part in parts)
    return dues.Shares(local=local, state=state, national=national)


def payment_method_text(*, method: str, check_number: str = "", plan_label: str = "") -> str:
    """How a payment was made, in the words a receipt uses."""
    if method == Payment.Method.CHECK:
        return f"Check no. {check_number}" if check_number else "Check"
    if method == Payment.Method.CASH:
        return "Cash"
    if method == Payment.Method.BANK_DRAFT:
        return f"Bank draft ({plan_label})" if plan_label else "Bank draft"
    if method == Payment.Method.CARD:
        # The plan keeps the label of the last method used; only a card label describes a card payment.
        return plan_label if plan_label.lower().startswith("card") else "Card"
    return "Adjustment"


def verify_url(term: MembershipTerm) -> str:
    return settings.SITE_URL + reverse("verify_card", args=[term.verification_token])


def qr_code_data_uri(text: str) -> str:
    """An SVG QR code as a data: URI (the PDF fetcher loads nothing from outside the portal)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(text, image_factory=SvgPathImage, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- Building documents -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    kind: str
    template: str
    subject_prefix: str


SPECS = {
    "receipt": _Spec(StoredDocument.Kind.RECEIPT, "members/pdf/receipt.html", "payment"),
    "card": _Spec(StoredDocument.Kind.CARD, "members/pdf/card.html", "term"),
    "coverage_letter": _Spec(StoredDocument.Kind.COVERAGE_LETTER, "members/pdf/coverage_letter.html", "term"),
    "authorization": _Spec(StoredDocument.Kind.AUTHORIZATION, "members/pdf/authorization.html", "authorization"),
}

_MEMBER_RELATED = ("member__user", "member__local")


def _receipt(pk):
    payment = (Payment.objects.select_related(*_MEMBER_RELATED, "term__category", "term__plan")
               .filter(pk=pk, status=Payment.Status.SUCCEEDED, amount__gt=0).first())
    if payment is None:
        return None
    term = payment.term
    split = allocate_shares(payment.amount, dues.Shares(term.local_share, term.state_share, term.national_share))
    paid_on = timezone.localdate(payment.paid_at) if payment.paid_at else payment.due_on
    context = {
        "payment": payment, "term": term, "split": split, "paid_on": paid_on,
        "method": payment_method_text(method=payment.method, check_number=payment.check_number,
                                      plan_label=term.plan.payment_method_label if term.plan else ""),
    }
    member = payment.member
    title = f"Receipt: ${payment.amount} paid {paid_on:%B} {paid_on.day}, {paid_on.year}"
    return member, context, title, f"mae-receipt-{member.member_number}-{payment.pk}.pdf"


def _term(pk):
    term = MembershipTerm.objects.select_related(*_MEMBER_RELATED, "category").filter(pk=pk).first()
    if term is None or term.cancelled_at is not None:
        return None
    return term.member, term


def _card(pk):
    found = _term(pk)
    if found is None:
        return None
    member, term = found
    url = verify_url(term)
    context = {"term": term, "verify_url": url, "qr_code": qr_code_data_uri(url)}
    return member, context, f"Membership card {term.year_label}", f"mae-card-{member.member_number}-{term.year_label}.pdf"


def _coverage_letter(pk):
    found = _term(pk)
    if found is None:
        return None
    member, term = found
    context = {"term": term, "verify_url": verify_url(term)}
    return (member, context, f"Liability coverage letter {term.year_label}",
            f"mae-coverage-letter-{member.member_number}-{term.year_label}.pdf")


def _authorization(pk):
    authorization = DraftAuthorization.objects.select_related(*_MEMBER_RELATED).filter(pk=pk).first()
    if authorization is None:
        return None
    signed_at = authorization.signed_at.astimezone(SIGNATURE_TIMEZONE)
    plan = authorization.plans.order_by("created_at").first()
    context = {"authorization": authorization, "signed_at": signed_at, "plan": plan}
    member = authorization.member
    return (member, context, f"Bank draft authorization signed {signed_at:%B} {signed_at.day}, {signed_at.year}",
            f"mae-draft-authorization-{member.member_number}-{authorization.pk}.pdf")


_LOADERS = {"receipt": _receipt, "card": _card, "coverage_letter": _coverage_letter, "authorization": _authorization}


def membership_document_build(*, kind: str, pk) -> StoredDocument | None:
    """Build the PDF of one membership document: receipt (payment pk), card or coverage letter (term
    pk), authorization (DraftAuthorization pk). Returns the document, or None when there is nothing
    to build: the subject is gone or not eligible (an unpaid payment, a cancelled term), or the member
    has no account to keep it under.

    Idempotent: the document is found by (kind, subject_key); a ready one is returned as it is, and
    the row lock makes a concurrent duplicate wait and then find it ready. A failed rendering leaves
    the document FAILED (the dashboard says so) and the next call renders it again."""
    spec = SPECS[kind]
    subject_key = f"{spec.subject_prefix}:{pk}"
    existing = StoredDocument.objects.filter(kind=spec.kind, subject_key=subject_key).first()
    if existing is not None and existing.status == StoredDocument.Status.READY and kind != "authorization":
        return existing  # (an authorization goes on to make sure its copy was emailed)
    loaded = _LOADERS[kind](pk)
    if loaded is None:
        return None
    member, context, title, download_name = loaded
    if member.user_id is None:
        return None
    document, _ = StoredDocument.objects.get_or_create(
        kind=spec.kind, subject_key=subject_key,
        defaults={"owner": member.user, "title": title, "download_name": download_name},
    )
    try:
        with transaction.atomic():
            document = StoredDocument.objects.select_for_update().get(pk=document.pk)
            if document.status != StoredDocument.Status.READY:
                store_pdf(document, spec.template, {"member": member, "document": document, **context})
    except (Exception, FatalURLFetchingError):  # the latter is a BaseException
        StoredDocument.objects.filter(pk=document.pk).exclude(status=StoredDocument.Status.READY).update(
            status=StoredDocument.Status.FAILED)
        raise
    if kind == "authorization" and (to := member_email(member)):
        # The member keeps a copy of what they signed, by email as well as on the dashboard.
        send_email("draft-authorization", to, {"member": member, "document": document, **context},
                   idempotency_key=f"authorization-copy:{pk}", attachment=document)
    return document


# --- Emails ----------------------------------------------------------------------------------------------------


def member_email(member: Member) -> str:
    """Where we write to a member: the address on their record, else their sign-in address."""
    return member.email or (member.user.email if member.user_id else "")


def _plan_summary(term: MembershipTerm) -> dict:
    plan = term.plan
    scheduled = list(term.payments.filter(status=Payment.Status.SCHEDULED).order_by("due_on")
                     .values_list("due_on", "amount"))
    return {
        "plan": plan,
        "installment": bool(plan and plan.is_installment),
        "drafts_left": len(scheduled),
        "next_draft": scheduled[0] if scheduled else None,
    }


def membership_welcome_send(*, payment_pk) -> None:
    """After a term's first payment: its card and coverage letter, then the welcome email (once per term).

    The email goes out even if a document failed to render (the dashboard shows which); the error is
    raised afterwards so the worker logs it."""
    payment = Payment.objects.select_related(*_MEMBER_RELATED, "term__category", "term__plan").filter(pk=payment_pk).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED:
        return
    term, member = payment.term, payment.member
    try:
        for kind in ("card", "coverage_letter"):
            membership_document_build(kind=kind, pk=term.pk)
    finally:
        to = member_email(member)
        if to:
            send_email(
                "membership-welcome", to=to,
                context={"member": member, "term": term, "payment": payment, "renewal": term.continues_id is not None,
                         "has_account": member.user_id is not None, **_plan_summary(term)},
                idempotency_key=f"welcome:{term.pk}",
            )
        else:
            log.warning("membership welcome for term %s not sent: member %s has no email address", term.pk, member.pk)


def draft_failed_notify(*, payment_pk) -> None:
    """Tell the member a bank draft did not go through, and how to pay it now (once per payment)."""
    payment = Payment.objects.select_related(*_MEMBER_RELATED, "term__plan").filter(pk=payment_pk).first()
    if payment is None or payment.status != Payment.Status.FAILED:
        return
    to = member_email(payment.member)
    if not to:
        log.warning("draft-failed email for payment %s not sent: no email address", payment.pk)
        return
    send_email(
        "draft-failed", to=to,
        context={"member": payment.member, "payment": payment, "term": payment.term,
                 "drafted_on": payment.due_on or timezone.localdate(payment.created_at)},
        idempotency_key=f"draft-failed:{payment.pk}",
    )

