from celery import shared_task
from weasyprint.urls import FatalURLFetchingError

from mae_portal.models import StoredDocument
from members import services


@shared_task
def build_member_record_pdf(document_id: str):
    try:
        services.member_record_pdf_build(document_id=document_id)
    except (Exception, FatalURLFetchingError):  # the latter is a BaseException
        # The member sees "could not be prepared" and may ask again; the error goes to the worker log.
        StoredDocument.objects.filter(pk=document_id, status=StoredDocument.Status.PENDING).update(
            status=StoredDocument.Status.FAILED
        )
        raise
