"""Work that follows a commit: documents to build, the welcome after a first payment."""

from members.models import DraftAuthorization, MembershipTerm, Payment

_DOCUMENT_SUBJECTS = {"receipt": Payment, "card": MembershipTerm, "coverage_letter": MembershipTerm,
                      "authorization": DraftAuthorization}


def enqueue_document(kind: str, pk):
    """Record the document's PENDING row; its build is enqueued when that commits, and a sweep finishes
    any row whose task never reached the broker."""
    from members.documents import membership_document_request

    subject = _DOCUMENT_SUBJECTS[kind].objects.select_related("member").filter(pk=pk).first()
    if subject is not None:
        membership_document_request(kind=kind, subject=subject)


def after_payment(payment_pk, first_for_term: bool):
    payment = Payment.objects.only("amount", "term_id").get(pk=payment_pk)
    if payment.amount > 0:
        enqueue_document("receipt", payment_pk)
    if first_for_term:
        from members.tasks import send_membership_welcome

        # The card and letter are recorded before the welcome task is sent, so neither waits on it.
        for kind in ("card", "coverage_letter"):
            enqueue_document(kind, payment.term_id)

        send_membership_welcome.delay(payment_pk)
