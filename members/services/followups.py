"""Work that follows a commit: documents to build, the welcome after a first payment."""


def enqueue_document(kind: str, pk):
    from members.tasks import build_membership_document

    build_membership_document.delay(kind, pk)


def after_payment(payment_pk, first_for_term: bool):
    enqueue_document("receipt", payment_pk)
    if first_for_term:
        from members.tasks import send_membership_welcome

        send_membership_welcome.delay(payment_pk)
