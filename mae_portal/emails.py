"""Every email the portal sends: rendered at once, stored with an idempotency key, delivered by Celery.

`send_email("welcome", to, context, idempotency_key=...)` renders
templates/emails/welcome-subject.txt, -body.txt and (if present) -body.html.
"""

import hashlib
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from mae_portal.models import EmailDelivery

log = logging.getLogger(__name__)


def send_email(template_name: str, to: str, context: dict, idempotency_key: str, *, sensitive: bool = False,
               attachment=None) -> EmailDelivery:
    """Queue one email. Asking again with the same key returns the first delivery and sends nothing more.
    `attachment`: a ready StoredDocument sent along as a PDF."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template_name}-subject.txt", context).split())
    text = render_to_string(f"emails/{template_name}-body.txt", context)
    try:
        html = render_to_string(f"emails/{template_name}-body.html", context)
    except TemplateDoesNotExist:
        html = ""
    return queue_rendered_email(
        idempotency_key=idempotency_key, template_name=template_name, to=to,
        subject=subject, text=text, html=html, sensitive=sensitive, attachment=attachment,
    )


def queue_rendered_email(*, idempotency_key, template_name, to, subject, text, html="", sensitive=False,
                         attachment=None) -> EmailDelivery:
    from mae_portal.tasks import deliver_email

    with transaction.atomic():
        delivery, created = EmailDelivery.objects.get_or_create(
            idempotency_key=idempotency_key[:200],
            defaults={
                "template_name": template_name, "to": to, "subject": subject[:300],
                "body_text": text, "body_html": html, "sensitive": sensitive, "attachment": attachment,
            },
        )
        if created:
            transaction.on_commit(lambda: deliver_email.delay(delivery.pk), robust=True)
    return delivery


def deliver(delivery_id: int) -> bool:
    """Send a queued delivery once. Returns False when it was already sent.

    The row stays locked while the message goes out, so a duplicate task waits and then finds it sent.
    """
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status == EmailDelivery.Status.SENT:
            return False
        message = EmailMultiAlternatives(
            subject=delivery.subject,
            body=delivery.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.to],
            headers={"Message-ID": _message_id(delivery.idempotency_key)},
        )
        if delivery.body_html:
            message.attach_alternative(delivery.body_html, "text/html")
        if delivery.attachment_id:
            document = delivery.attachment
            with document.file.open("rb") as pdf:
                message.attach(document.download_name, pdf.read(), "application/pdf")
        message.send()
        delivery.status = EmailDelivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.attempts += 1
        delivery.last_error = ""
        if delivery.sensitive:
            delivery.body_text = delivery.body_html = ""
        delivery.save()
    return True


def record_failure(delivery_id: int, error: Exception, *, final: bool) -> None:
    EmailDelivery.objects.filter(pk=delivery_id).exclude(status=EmailDelivery.Status.SENT).update(
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        status=EmailDelivery.Status.FAILED if final else EmailDelivery.Status.QUEUED,
    )
    if final:
        log.error("email delivery %s failed for good: %s", delivery_id, error)


def _message_id(key: str) -> str:
    # The same delivery always carries the same Message-ID, so a resend after a crash is recognisable.
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@mae-portal>"
