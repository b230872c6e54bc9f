"""Every email the portal sends: rendered at once, stored with an idempotency key, delivered by Celery.

`send_email("welcome", to, context, idempotency_key=...)` renders
templates/emails/welcome-subject.txt, -body.txt and (if present) -body.html.

Delivery (README, "Email delivery guarantees"): the row is written before any broker call; a worker
claims it (SENDING, committed) before talking to the SMTP server and marks it SENT after. A failed
attempt goes back to QUEUED with a `next_attempt_at` (exponential backoff) that the outbox sweep
honours; after EMAIL_TASK_MAX_RETRIES retries it is FAILED for good. A worker that dies between the
server's "250 accepted" and SENT leaves a SENDING claim; once it is older than
EMAIL_SENDING_TIMEOUT_SECONDS the email is sent again with the same Message-ID. That window cannot be
closed (SMTP has no idempotent submit), so delivery is at least once, with one Message-ID per email.
"""

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from mae_portal.models import EmailDelivery

log = logging.getLogger(__name__)


def send_email(template_name: str, to: str, context: dict, idempotency_key: str, *, sensitive: bool = False,
               attachment=None) -> EmailDelivery:
    """Queue one email. Asking again with the same key returns the first delivery and sends nothing more.
    `attachment`: a ready StoredDocument sent along as a PDF."""
    subject, text, html = email_renderer(template_name)(context)
    return queue_rendered_email(
        idempotency_key=idempotency_key, template_name=template_name, to=to,
        subject=subject, text=text, html=html, sensitive=sensitive, attachment=attachment,
    )


def email_renderer(template_name: str):
    """`render(context) -> (subject, text, html)` for templates/emails/<template_name>-*, the templates
    loaded and compiled once: a run that sends thousands of one email renders each with the same three."""
    subject_template = get_template(f"emails/{template_name}-subject.txt")
    text_template = get_template(f"emails/{template_name}-body.txt")
    try:
        html_template = get_template(f"emails/{template_name}-body.html")
    except TemplateDoesNotExist:
        html_template = None

    def render(context: dict) -> tuple[str, str, str]:
        context = {"site_url": settings.SITE_URL, "portal_name": settings.PORTAL_NAME, **context}
        return (" ".join(subject_template.render(context).split()), text_template.render(context),
                html_template.render(context) if html_template else "")
    return render


def queue_rendered_email(*, idempotency_key, template_name, to, subject, text, html="", sensitive=False,
                         attachment=None) -> EmailDelivery:
    from mae_portal.outbox import enqueue_on_commit
    from mae_portal.tasks import deliver_email

    with transaction.atomic():
        now = timezone.now()
        delivery, created = EmailDelivery.objects.get_or_create(
            idempotency_key=idempotency_key[:200],
            defaults={
                "template_name": template_name, "to": to, "subject": subject[:300],
                "body_text": text, "body_html": html, "sensitive": sensitive, "attachment": attachment,
                "next_attempt_at": now, "enqueued_at": now,
            },
        )
        if created:
            # A broker that is down is logged, not raised: the row is saved and the sweep sends it.
            enqueue_on_commit(deliver_email, (delivery.pk,))
    return delivery


def queue_rendered_emails(emails: list[dict]) -> tuple[dict[str, int], set[str]]:
    """Queue many rendered emails at once (dicts of queue_rendered_email's keyword arguments, without
    attachments), in the caller's transaction: ({idempotency key: delivery pk} for every key, the keys
    whose delivery this call wrote).

    Like queue_rendered_email, a key asked again keeps its first delivery and sends nothing more: rows
    are inserted ignoring key conflicts (a concurrent run's rows included), and only the rows this call
    wrote are handed to the workers, after the commit (the outbox sweep re-sends what the broker lost).
    They are handed over EMAIL_BATCH_SIZE to a task (deliver_email_batch), not one task each."""
    from mae_portal.outbox import enqueue_on_commit
    from mae_portal.tasks import deliver_email_batch

    if not emails:
        return {}, set()
    keys = [email["idempotency_key"][:200] for email in emails]
    new_pks = _insert_deliveries(keys, emails, now=timezone.now())
    pks = dict(new_pks)
    missing = [key for key in keys if key not in pks]
    if missing:  # asked before, or written by a concurrent run
        pks.update(EmailDelivery.objects.filter(idempotency_key__in=missing).values_list("idempotency_key", "pk"))
    new = set(new_pks)
    if new:
        ids = [pks[key] for key in sorted(new)]
        enqueue_on_commit(deliver_email_batch, *[(ids[i:i + EMAIL_BATCH_SIZE],)
                                                 for i in range(0, len(ids), EMAIL_BATCH_SIZE)])
    return pks, new


EMAIL_BATCH_SIZE = 100  # emails per deliver_email_batch task


def _insert_deliveries(keys: list[str], emails: list[dict], *, now: datetime) -> dict[str, int]:
    """Insert queued deliveries, skipping keys already stored; {key: pk} of the rows this insert wrote.

    One INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT DO NOTHING RETURNING: a thousand rendered emails
    go in a statement of a dozen parameters (bulk_create's, with one parameter per field per row, cost more to
    build and parse than the rows to write), and the rows it returns are exactly the ones it wrote."""
    meta = EmailDelivery._meta
    column = {field.name: connection.ops.quote_name(field.column) for field in meta.concrete_fields}
    values = {"idempotency_key": keys, "template_name": [e["template_name"] for e in emails],
              "to": [e["to"] for e in emails], "subject": [e["subject"][:300] for e in emails],
              "body_text": [e["text"] for e in emails], "body_html": [e.get("html", "") for e in emails],
              "sensitive": [e.get("sensitive", False) for e in emails]}
    types = {"sensitive": "boolean[]", "body_text": "text[]", "body_html": "text[]"}
    constants = {"status": EmailDelivery.Status.QUEUED.value, "attempts": 0, "last_error": "", "created_at": now,
                 "next_attempt_at": now, "enqueued_at": now}
    names = list(values)
    arrays = ", ".join(f"%s::{types.get(name, 'varchar[]')}" for name in names)
    sql = (f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "
           f"({', '.join(column[n] for n in names + list(constants))}) "
           f"SELECT {', '.join(f'u.c{i}' for i in range(len(names)))}, {', '.join(['%s'] * len(constants))} "
           f"FROM unnest({arrays}) "
           f"AS u({', '.join(f'c{i}' for i in range(len(names)))}) "
           f"ON CONFLICT ({column['idempotency_key']}) DO NOTHING RETURNING {column['idempotency_key']}, {column['id']}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants.values(), *values.values()])
        return dict(cursor.fetchall())


def deliver_batch(delivery_ids: list[int], *, budget_seconds: float) -> int:
    """Send queued deliveries one after another, as deliver() does each (`may_wait` off: a failed attempt is
    retried by the sweep when it falls due). After `budget_seconds` the ones not sent yet go to a new batch
    task, so the task never nears its hard time limit. An error on one is logged (deliver recorded it on
    the row, for the sweep) and the batch goes on. Returns how many were sent."""
    from mae_portal.outbox import publish
    from mae_portal.tasks import deliver_email_batch

    started = time.monotonic()
    sent = 0
    for index, delivery_id in enumerate(delivery_ids):
        if time.monotonic() - started > budget_seconds:
            publish(deliver_email_batch, list(delivery_ids[index:]))  # if that fails, the sweep finds them
            break
        try:
            sent += deliver(delivery_id, may_wait=False).sent
        except Exception:
            log.exception("email delivery %s failed; the outbox sweep will retry it", delivery_id)
    return sent


@dataclass(frozen=True)
class Attempt:
    sent: bool
    # Seconds after which the caller (the task) should try again itself; None: the sweep takes over.
    retry_in: int | None = None


def max_attempts() -> int:
    return settings.EMAIL_TASK_MAX_RETRIES + 1


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: 30, 60, 120 ... capped at an hour."""
    return min(settings.EMAIL_RETRY_BASE_SECONDS * 2 ** (attempts - 1), settings.EMAIL_RETRY_MAX_SECONDS)


def deliver(delivery_id: int, *, may_wait: bool = True) -> Attempt:
    """Send a queued delivery once; a delivery already sent, failed for good or being sent by another
    worker is left alone (`Attempt(sent=False)`).

    A failed SMTP attempt is recorded and not raised; `retry_in` is set when the next attempt is due
    soon enough for the task to wait in the broker (`may_wait`, and at most CELERY_MAX_COUNTDOWN_SECONDS).
    Any other error is recorded the same way (the sweep retries it) and raised, for the worker log."""
    now = timezone.now()
    delivery = _claim(delivery_id, now=now)
    if delivery is None:
        return Attempt(sent=False)
    try:
        _message(delivery).send()
    except (SMTPException, OSError) as exc:  # the mail server is unreachable or said "later"
        return Attempt(sent=False, retry_in=_record_failure(delivery, exc, may_wait=may_wait))
    except Exception as exc:
        _record_failure(delivery, exc, may_wait=False)
        raise
    update = {"status": EmailDelivery.Status.SENT, "sent_at": timezone.now(), "last_error": "", "claimed_at": None}
    if delivery.sensitive:
        update.update(body_text="", body_html="")
    EmailDelivery.objects.filter(pk=delivery.pk).update(**update)
    return Attempt(sent=True)


def _claim(delivery_id: int, *, now: datetime) -> EmailDelivery | None:
    """Mark the row SENDING in a committed transaction of its own, before any SMTP traffic: a second
    task for it (a replay, the sweep) then leaves it alone instead of sending it in parallel."""
    Status = EmailDelivery.Status
    with transaction.atomic():
        delivery = EmailDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.status in (Status.SENT, Status.FAILED):
            return None
        if delivery.status == Status.SENDING:
            if delivery.claimed_at > now - timedelta(seconds=settings.EMAIL_SENDING_TIMEOUT_SECONDS):
                log.info("email delivery %s is being sent by another worker", delivery_id)
                return None
            # The last worker died mid-send; the server may already have accepted the message.
            log.warning("email delivery %s: its sender died mid-send; sending again with the same Message-ID",
                        delivery_id)
        if delivery.attempts >= max_attempts():
            delivery.status = Status.FAILED
            delivery.last_error = (delivery.last_error or f"gave up after {delivery.attempts} attempts")[:2000]
            delivery.save(update_fields=["status", "last_error"])
            log.error("email delivery %s failed for good after %s attempts", delivery_id, delivery.attempts)
            return None
        delivery.status = Status.SENDING
        delivery.claimed_at = now
        delivery.enqueued_at = None  # taken off the queue; the claim's age now says whether it was lost
        delivery.attempts += 1
        delivery.save(update_fields=["status", "claimed_at", "enqueued_at", "attempts"])
    return delivery


def _message(delivery: EmailDelivery) -> EmailMultiAlternatives:
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
    return message


def _record_failure(delivery: EmailDelivery, error: Exception, *, may_wait: bool) -> int | None:
    """Back to QUEUED with the next attempt's time, or FAILED after the last one. Returns the countdown
    for an in-task retry, or None when the sweep (or nobody) takes over."""
    Status = EmailDelivery.Status
    now = timezone.now()
    final = delivery.attempts >= max_attempts()
    delay = retry_delay(delivery.attempts)
    in_task = not final and may_wait and delay <= settings.CELERY_MAX_COUNTDOWN_SECONDS
    EmailDelivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.FAILED if final else Status.QUEUED,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        claimed_at=None,
        next_attempt_at=now + timedelta(seconds=delay),
        # A retry waiting in the broker is in flight; otherwise the sweep picks the row up when it is due.
        enqueued_at=now if in_task else None,
    )
    if final:
        log.error("email delivery %s failed for good after %s attempts: %s", delivery.pk, delivery.attempts, error)
    else:
        log.warning("email delivery %s attempt %s failed (%s); next in %s s", delivery.pk, delivery.attempts,
                    error, delay)
    return delay if in_task else None


def _message_id(key: str) -> str:
    # The same delivery always carries the same Message-ID, so a resend after a crash is recognisable.
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@mae-portal>"
