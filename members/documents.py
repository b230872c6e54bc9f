"""Membership documents and the emails that go with them: receipts, cards, coverage letters,
signed draft authorizations, the welcome email and the failed-draft email.

The document kinds are registered with the core's registry (mae_portal.documents) from
MembersConfig.ready(); the core stores, builds and serves them. A document is keyed by (kind, subject)
with a unique constraint, so a retried or duplicated task finds the first document and renders nothing
more; each email carries an idempotency key, so it goes out once.
"""

import base64
import io
import logging
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mae_portal.documents import DocumentKind, document_request, register_document_kind
from mae_portal.emails import send_email
from mae_portal.models import StoredDocument
from mae_portal.permissions import is_membership_staff
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


# --- Document kinds -------------------------------------------------------------------------------------------
# Each loader takes its subject's pk and returns the template context, or None when there is nothing to build.

_MEMBER_RELATED = ("member__user", "member__local")


def _receipt(pk):
    payment = (Payment.objects.select_related(*_MEMBER_RELATED, "term__category", "term__plan")
               .filter(pk=pk, status=Payment.Status.SUCCEEDED, amount__gt=0).first())
    if payment is None:
        return None
    term = payment.term
    split = allocate_shares(payment.amount, dues.Shares(term.local_share, term.state_share, term.national_share))
    paid_on = timezone.localdate(payment.paid_at) if payment.paid_at else payment.due_on
    return {
        "member": payment.member, "payment": payment, "term": term, "split": split, "paid_on": paid_on,
        "method": payment_method_text(method=payment.method, check_number=payment.check_number,
                                      plan_label=term.plan.payment_method_label if term.plan else ""),
    }


def _term(pk):
    term = MembershipTerm.objects.select_related(*_MEMBER_RELATED, "category").filter(pk=pk).first()
    if term is None or term.cancelled_at is not None:
        return None
    return term


def _card(pk):
    term = _term(pk)
    if term is None:
        return None
    url = verify_url(term)
    return {"member": term.member, "term": term, "verify_url": url, "qr_code": qr_code_data_uri(url)}


def _coverage_letter(pk):
    term = _term(pk)
    if term is None:
        return None
    return {"member": term.member, "term": term, "verify_url": verify_url(term)}


def _authorization(pk):
    authorization = DraftAuthorization.objects.select_related(*_MEMBER_RELATED).filter(pk=pk).first()
    if authorization is None:
        return None
    signed_at = authorization.signed_at.astimezone(SIGNATURE_TIMEZONE)
    plan = authorization.plans.order_by("created_at").first()
    return {"member": authorization.member, "authorization": authorization, "signed_at": signed_at, "plan": plan}


def _member_record(pk):
    return {"member": member} if (member := Member.objects.select_related(
        "employer_district__region", "worksite", "career_field", "local").filter(pk=pk).first()) else None


def _email_authorization_copy(document, context):
    # The member keeps a copy of what they signed, by email as well as on the dashboard (once: the key).
    if to := member_email(context["member"]):
        send_email("draft-authorization", to, {**context, "document": document},
                   idempotency_key=f"authorization-copy:{context['authorization'].pk}", attachment=document)


def _tell_record_ready(document, context):
    if document.owner_id and document.owner.email:
        send_email("document-ready", to=document.owner.email,
                   context={"name": context["member"].display_name, "document": document},
                   idempotency_key=f"document-ready:{document.pk}")


def _day(value) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def membership_document_scope(user) -> Q:
    """Who may open a membership document: the person it is for, and membership staff (and admins)."""
    if is_membership_staff(user):
        return Q(pk__isnull=False)
    return Q(owner=user)


MEMBERSHIP_DOCUMENT_KINDS = (
    DocumentKind(
        name="receipt", label="Receipt", subject_model="members.Payment", template="members/pdf/receipt.html",
        context=_receipt, visible_to=membership_document_scope,
        title=lambda c: f"Receipt: ${c['payment'].amount} paid {_day(c['paid_on'])}",
        download_name=lambda c: f"mae-receipt-{c['member'].member_number}-{c['payment'].pk}.pdf",
    ),
    DocumentKind(
        name="card", label="Membership card", subject_model="members.MembershipTerm",
        template="members/pdf/card.html", context=_card, visible_to=membership_document_scope,
        title=lambda c: f"Membership card {c['term'].year_label}",
        download_name=lambda c: f"mae-card-{c['member'].member_number}-{c['term'].year_label}.pdf",
    ),
    DocumentKind(
        name="coverage_letter", label="Liability coverage letter", subject_model="members.MembershipTerm",
        template="members/pdf/coverage_letter.html", context=_coverage_letter, visible_to=membership_document_scope,
        title=lambda c: f"Liability coverage letter {c['term'].year_label}",
        download_name=lambda c: f"mae-coverage-letter-{c['member'].member_number}-{c['term'].year_label}.pdf",
    ),
    DocumentKind(
        name="authorization", label="Bank draft authorization", subject_model="members.DraftAuthorization",
        template="members/pdf/authorization.html", context=_authorization, visible_to=membership_document_scope,
        title=lambda c: f"Bank draft authorization signed {_day(c['signed_at'])}",
        download_name=lambda c: f"mae-draft-authorization-{c['member'].member_number}-{c['authorization'].pk}.pdf",
        after_build=_email_authorization_copy,
    ),
    DocumentKind(
        name="member_record", label="Copy of my member record", subject_model="members.Member",
        template="members/pdf/member_record.html", context=_member_record, visible_to=membership_document_scope,
        title=lambda c: "Copy of my member record",
        download_name=lambda c: f"mae-member-record-{c['member'].member_number}.pdf",
        after_build=_tell_record_ready, repeatable=True,
    ),
)


def register_membership_document_kinds() -> None:
    for kind in MEMBERSHIP_DOCUMENT_KINDS:
        register_document_kind(kind)


def membership_document_request(*, kind: str, subject) -> StoredDocument | None:
    """Ask for a membership document of `subject` (a payment, term, authorization or member), kept under
    its member's account. Returns the document, or None when the member has no account to keep it under
    (staff give a walk-in member their papers)."""
    member = subject if isinstance(subject, Member) else subject.member
    if member.user_id is None:
        return None
    document, _ = document_request(kind=kind, subject=subject, owner=member.user)
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
    """After a term's first payment: the welcome email (once per term), queued in the caller's
    transaction. The card and coverage letter it points to are recorded beside it (followups)."""
    payment = Payment.objects.select_related(*_MEMBER_RELATED, "term__category", "term__plan").filter(pk=payment_pk).first()
    if payment is None or payment.status != Payment.Status.SUCCEEDED:
        return
    term, member = payment.term, payment.member
    to = member_email(member)
    if not to:
        log.warning("membership welcome for term %s not sent: member %s has no email address", term.pk, member.pk)
        return
    send_email(
        "membership-welcome", to=to,
        context={"member": member, "term": term, "payment": payment, "renewal": term.continues_id is not None,
                 "has_account": member.user_id is not None, **_plan_summary(term)},
        idempotency_key=f"welcome:{term.pk}",
    )


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

