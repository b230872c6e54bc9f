"""What a payment or a signed authorization leaves to do, recorded in the same transaction.

Every follow-up is a row (a PENDING stored document, a queued email) written before the transaction
commits, and handed to Celery only after it commits (mae_portal.outbox). A broker that is down, or a
worker killed mid-task, loses nothing: the outbox sweep hands the rows to the queue again, and each
task is idempotent per row, so it happens once.
"""

from members.models import DraftAuthorization, MembershipTerm, Payment

_DOCUMENT_SUBJECTS = {"receipt": Payment, "card": MembershipTerm, "coverage_letter": MembershipTerm,
                      "authorization": DraftAuthorization}


def enqueue_document(kind: str, pk):
    """Record the document's PENDING row; its build is enqueued when the transaction commits."""
    from members.documents import membership_document_request

    subject = _DOCUMENT_SUBJECTS[kind].objects.select_related("member").filter(pk=pk).first()
    if subject is not None:
        membership_document_request(kind=kind, subject=subject)


def after_payment(payment_pk, first_for_term: bool):
    """A payment succeeded (call inside its transaction): its receipt; after a term's first payment, the
    card, the coverage letter and the welcome email."""
    from members.documents import membership_welcome_send

    payment = Payment.objects.only("amount", "term_id").get(pk=payment_pk)
    if payment.amount > 0:
        enqueue_document("receipt", payment_pk)
    if first_for_term:
        for kind in ("card", "coverage_letter"):
            enqueue_document(kind, payment.term_id)
        membership_welcome_send(payment_pk=payment_pk)


def after_draft_failed(payment_pk):
    """A bank draft of a running plan failed (call inside its transaction): the member is told once."""
    from members.documents import draft_failed_notify

    draft_failed_notify(payment_pk=payment_pk)
