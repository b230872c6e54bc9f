"""Nothing is left behind by the queue: the email outbox, its sweep, retries and queues.

Unit tests run the sweep and the delivery service in this process (Celery eager, SMTP in memory).
The `celery_worker` tests start real workers over Redis (tests/portal/celery_harness.py) on a
Redis database of their own (MAE_TEST_QUEUE_BROKER_URL, default redis://127.0.0.1:6379/5).
"""

import os
import time
import uuid
from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from mae_portal import emails, outbox
from mae_portal.celery import app as celery_app
from mae_portal.emails import _message_id, retry_delay
from mae_portal.models import EmailDelivery
from mae_portal.tasks import sweep_outbox
from tests.conftest import _free_port
from tests.portal.celery_harness import (
    KEY_PREFIX,
    TIMEOUT,
    HoldingSMTPHandler,
    queue_test_email,
    use_broker,
)

Status = EmailDelivery.Status


@pytest.fixture
def broker_url():
    return os.environ.get("MAE_TEST_QUEUE_BROKER_URL", "redis://127.0.0.1:6379/5")


def _delivery(key="k", **fields):
    now = timezone.now()
    defaults = {"template_name": "t", "to": "tamika.shelton@example.org", "subject": "Hello", "body_text": "Hi",
                "next_attempt_at": now, "enqueued_at": now}
    return EmailDelivery.objects.create(idempotency_key=f"{KEY_PREFIX}{key}", **{**defaults, **fields})


# --- The sweep, in this process ---------------------------------------------------------------------------------


@pytest.fixture
def published(monkeypatch):
    """Delivery ids the sweep hands to the broker (nothing is sent)."""
    sent = []
    monkeypatch.setattr(outbox, "publish", lambda task, *args: sent.append(args[0]) or True)
    return sent


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """sweep(now) -> the sweep's counts, its on_commit hand-offs run."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return outbox.outbox_sweep(now=now)

    return run


def _other_connection():
    from django.db import connections

    other = connections.create_connection("default")
    other.connect()
    return other


def test_sweep_picks_lost_and_due_rows_and_skips_the_rest(db, published, settings, sweep):
    settings.OUTBOX_SWEEP_AFTER_MINUTES = 5
    settings.EMAIL_SENDING_TIMEOUT_SECONDS = 300
    now = timezone.now()
    ago = lambda **kw: now - timedelta(**kw)  # noqa: E731
    lost = _delivery("lost", enqueued_at=ago(minutes=6), next_attempt_at=ago(minutes=6))
    retry_due = _delivery("retry-due", enqueued_at=None, next_attempt_at=ago(seconds=1), attempts=2)
    stale_claim = _delivery("stale-claim", status=Status.SENDING, claimed_at=ago(seconds=301), enqueued_at=None)
    fresh = _delivery("fresh", enqueued_at=ago(minutes=4))  # its task is probably still on its way
    not_due = _delivery("not-yet-due", enqueued_at=None, next_attempt_at=now + timedelta(seconds=30), attempts=1)
    sending = _delivery("sending", status=Status.SENDING, claimed_at=ago(seconds=60), enqueued_at=None)
    _delivery("sent", status=Status.SENT, enqueued_at=ago(hours=1), sent_at=ago(hours=1))
    _delivery("failed", status=Status.FAILED, enqueued_at=None, next_attempt_at=ago(hours=1))

    assert sweep(now)["email_sweep"] == 3
    assert sorted(published) == sorted([lost.pk, retry_due.pk, stale_claim.pk])
    lost.refresh_from_db()
    assert lost.enqueued_at == now and lost.status == Status.QUEUED

    # Run again at once: nothing more. Five minutes on, every row not sent or failed is due (the three
    # again, since their tasks did not run; the fresh row, the retry, the claim by now stale).
    assert sweep(now)["email_sweep"] == 0
    assert len(published) == 3
    assert sweep(now + timedelta(minutes=5, seconds=1))["email_sweep"] == 6
    assert sorted(published[3:]) == sorted([lost.pk, retry_due.pk, stale_claim.pk, fresh.pk, not_due.pk, sending.pk])


def test_sweep_skips_rows_another_sweep_holds(committed_db, published):
    """Two sweeps at once: rows the first has locked are skipped by the second (not waited for)."""
    row = _delivery(f"locked:{uuid.uuid4()}", enqueued_at=None)
    now = timezone.now()
    other = _other_connection()
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM mae_portal_emaildelivery WHERE id = %s FOR UPDATE", [row.pk])
            started = time.monotonic()
            assert outbox.outbox_sweep(now=now)["email_sweep"] == 0
            assert time.monotonic() - started < 2
        other.rollback()
    finally:
        other.close()
    assert outbox.outbox_sweep(now=now)["email_sweep"] == 1
    assert outbox.outbox_sweep(now=now)["email_sweep"] == 0
    assert published == [row.pk]


def test_sweep_task_and_command_deliver_once_inline(db, settings, django_capture_on_commit_callbacks):
    """No broker (`make run`): the sweep runs the delivery inline, and twice in a row sends once."""
    settings.OUTBOX_SWEEP_AFTER_MINUTES = 0
    row = _delivery("inline", enqueued_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_outbox.delay()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep_outbox")
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].extra_headers["Message-ID"] == _message_id(row.idempotency_key)


# --- Retries and the SENDING claim ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (12, 3600)])
def test_retry_backoff_doubles_and_is_capped(settings, attempts, seconds):
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    assert retry_delay(attempts) == seconds


def _failing_send(*args, **kwargs):
    raise SMTPServerDisconnected("Connection unexpectedly closed")


def test_failed_attempts_back_off_through_the_sweep_then_fail_for_good(db, settings, published, sweep):
    settings.EMAIL_TASK_MAX_RETRIES = 3
    settings.CELERY_MAX_COUNTDOWN_SECONDS = 60  # 30 s and 60 s wait in the task; 120 s is left to the sweep
    row = _delivery("backoff")
    expected = [(30, 30), (60, 60), (None, 120)]
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", _failing_send):
        for number, (retry_in, delay) in enumerate(expected, start=1):
            before = timezone.now()
            attempt = emails.deliver(row.pk)
            row.refresh_from_db()
            assert attempt == emails.Attempt(sent=False, retry_in=retry_in)
            assert row.status == Status.QUEUED and row.attempts == number
            assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
            assert before + timedelta(seconds=delay) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=delay)
            # An in-task retry is in flight (the sweep leaves it alone); otherwise the sweep takes over.
            assert (row.enqueued_at is not None) == (retry_in is not None)
        assert sweep(row.next_attempt_at - timedelta(seconds=1))["email_sweep"] == 0  # not yet due
        assert sweep(row.next_attempt_at)["email_sweep"] == 1
        assert emails.deliver(row.pk) == emails.Attempt(sent=False)  # the fourth and last attempt
    row.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 4
    assert emails.deliver(row.pk) == emails.Attempt(sent=False)
    assert sweep(timezone.now() + timedelta(days=1))["email_sweep"] == 0
    assert mail.outbox == []


def test_inline_failure_waits_for_the_sweep_instead_of_retrying_in_the_request(db, settings):
    row = _delivery("inline-fail")
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", _failing_send):
        assert emails.deliver(row.pk, may_wait=False) == emails.Attempt(sent=False)
    row.refresh_from_db()
    assert row.status == Status.QUEUED and row.enqueued_at is None


def test_a_fresh_claim_is_left_alone_and_a_stale_one_is_taken_over(db, settings):
    settings.EMAIL_SENDING_TIMEOUT_SECONDS = 300
    row = _delivery("claimed", status=Status.SENDING, claimed_at=timezone.now() - timedelta(seconds=10), attempts=1)
    assert emails.deliver(row.pk) == emails.Attempt(sent=False)
    assert mail.outbox == []
    EmailDelivery.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(seconds=301))
    assert emails.deliver(row.pk) == emails.Attempt(sent=True)
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2 and row.claimed_at is None
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [_message_id(row.idempotency_key)]


def test_the_claim_is_committed_before_the_smtp_exchange(committed_db):
    row = _delivery(f"claim-first:{uuid.uuid4()}")
    seen = []

    def send(message, *args, **kwargs):  # what another worker sees while the SMTP exchange goes on
        other = _other_connection()
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT status FROM mae_portal_emaildelivery WHERE id = %s", [row.pk])
                seen.append(cursor.fetchone()[0])
        finally:
            other.close()
        return 1

    with mock.patch("django.core.mail.EmailMultiAlternatives.send", send):
        assert emails.deliver(row.pk).sent
    assert seen == [Status.SENDING]


# --- Many emails at once: written in one statement, handed over in batches ----------------------------------------------


def _rendered(key, to="tamika.shelton@example.org"):
    return {"idempotency_key": f"{KEY_PREFIX}{key}", "template_name": "t", "to": to, "subject": "Hello",
            "text": f"Hi {key}", "html": f"<p>Hi {key}</p>"}


def test_queue_rendered_emails_writes_new_rows_once_and_hands_them_over_in_batches(
        db, monkeypatch, django_assert_num_queries, django_capture_on_commit_callbacks):
    monkeypatch.setattr(emails, "EMAIL_BATCH_SIZE", 2)
    handed = []
    monkeypatch.setattr(outbox, "publish", lambda task, *args: handed.append((task.name, *args)) or True)
    earlier = _delivery("b")  # asked for before: kept as it is, not handed over again
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with django_assert_num_queries(2):  # the insert, and the pk of the one key stored before
            pks, new = emails.queue_rendered_emails([_rendered(k) for k in "abcdef"])
    keys = {f"{KEY_PREFIX}{k}" for k in "abcdef"}
    assert set(pks) == keys and new == keys - {earlier.idempotency_key} and pks[earlier.idempotency_key] == earlier.pk
    rows = {row.idempotency_key: row for row in EmailDelivery.objects.filter(idempotency_key__in=keys)}
    assert {key: row.pk for key, row in rows.items()} == pks
    row = rows[f"{KEY_PREFIX}a"]
    assert (row.status, row.attempts, row.body_text, row.body_html, row.sensitive, row.last_error) == (
        Status.QUEUED, 0, "Hi a", "<p>Hi a</p>", False, "")
    assert row.enqueued_at is not None and row.next_attempt_at <= timezone.now()
    assert rows[earlier.idempotency_key].body_text == "Hi"
    ids = sorted(pks[key] for key in new)
    assert [name for name, _ in handed] == ["mae_portal.tasks.deliver_email_batch"] * 3
    assert sorted(pk for _, batch in handed for pk in batch) == ids and all(len(b) <= 2 for _, b in handed)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert emails.queue_rendered_emails([_rendered(k) for k in "af"]) == (
            {key: pks[key] for key in (f"{KEY_PREFIX}a", f"{KEY_PREFIX}f")}, set())
    assert len(handed) == 3  # asked again: nothing written, nothing handed over


def test_a_batch_sends_each_once_goes_on_after_an_error_and_hands_on_what_its_time_left(db, monkeypatch):
    rows = [_delivery(f"batch-{n}", to=f"member{n}@example.org") for n in range(4)]
    handed = []
    monkeypatch.setattr(outbox, "publish", lambda task, *args: handed.append((task.name, *args)) or True)
    real = emails._message

    def message(delivery):
        if delivery.pk == rows[1].pk:
            raise ValueError("a template bug")
        return real(delivery)

    monkeypatch.setattr(emails, "_message", message)
    assert emails.deliver_batch([r.pk for r in rows[:3]], budget_seconds=60) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["member0@example.org", "member2@example.org"]
    failed = EmailDelivery.objects.get(pk=rows[1].pk)
    assert failed.status == Status.QUEUED and failed.last_error == "ValueError: a template bug"  # for the sweep
    assert emails.deliver_batch([r.pk for r in rows[:3]], budget_seconds=60) == 0  # sent ones are not sent again
    assert emails.deliver_batch([rows[3].pk, rows[0].pk], budget_seconds=-1) == 0  # no time left: all handed on
    assert handed == [("mae_portal.tasks.deliver_email_batch", [rows[3].pk, rows[0].pk])]
    assert len(mail.outbox) == 2


def test_the_batch_task_delivers_inline_without_a_broker(db):
    from mae_portal.tasks import deliver_email_batch

    rows = [_delivery(f"inline-batch-{n}", to=f"member{n}@example.org") for n in range(3)]
    deliver_email_batch.delay([r.pk for r in rows])
    assert sorted(m.to[0] for m in mail.outbox) == [f"member{n}@example.org" for n in range(3)]
    assert set(EmailDelivery.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {Status.SENT}


# --- Queues ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("task", "queue"), [
    ("mae_portal.tasks.deliver_email", "email"),
    ("mae_portal.tasks.deliver_email_batch", "email"),
    ("mae_portal.tasks.build_document", "documents"),
    ("mae_portal.tasks.sweep_outbox", "celery"),
    ("members.tasks.run_membership_jobs", "celery"),
])
def test_routes_put_emails_and_documents_on_their_own_queues(task, queue):
    assert celery_app.amqp.router.route({}, task)["queue"].name == queue


@pytest.mark.celery_worker
def test_published_tasks_land_on_their_queues(redis_broker):
    from mae_portal.tasks import build_document, deliver_email

    deliver_email.delay(1)
    build_document.delay(str(uuid.uuid4()))
    sweep_outbox.delay()
    assert [redis_broker.llen(q) for q in ("email", "documents", "celery")] == [1, 1, 1]


# --- With a real broker and real workers -----------------------------------------------------------------------


def _wait(predicate, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"gave up after {timeout}s waiting for {what}")


@pytest.mark.celery_worker
def test_broker_down_the_request_returns_and_the_sweep_delivers_once(celery_worker_process, redis_broker,
                                                                    broker_url, smtp_sink):
    use_broker(f"redis://127.0.0.1:{_free_port()}/5")  # nothing listens there
    key = f"{KEY_PREFIX}broker-down:{uuid.uuid4()}"
    started = time.monotonic()
    with transaction.atomic():  # as in a request: the hand-off happens after the commit
        delivery = queue_test_email(key)
    assert time.monotonic() - started < 3
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED and delivery.attempts == 0

    use_broker(broker_url)  # the broker is back
    worker = celery_worker_process(smtp_sink.port, OUTBOX_SWEEP_AFTER_MINUTES=0)
    worker.wait_ready()
    sweep_outbox.delay()
    sweep_outbox.delay()  # a second sweep finds the row just re-enqueued and leaves it
    worker.wait_for(lambda: len(worker.events("succeeded", "mae_portal.tasks.sweep_outbox")) >= 2, "both sweeps")
    _wait(lambda: EmailDelivery.objects.get(pk=delivery.pk).status == Status.SENT, "the email to be sent")
    worker.wait_for(lambda: len(worker.events("succeeded")) >= 1, "deliver_email to finish")
    time.sleep(1)
    assert len(worker.events("succeeded")) == 1, worker.log()
    assert [m["Message-ID"] for m in smtp_sink.messages] == [_message_id(key)]
    delivery.refresh_from_db()
    assert delivery.attempts == 1


# Shortened for the test: a dead worker's task comes back after 4 s, a SENDING claim is stale after 3 s.
KILL_TEST_SETTINGS = {"CELERY_VISIBILITY_TIMEOUT": 4, "CELERY_UNACKED_RESTORE_INTERVAL": 1,
                      "EMAIL_SEND_TIME_LIMIT": 2, "EMAIL_SENDING_TIMEOUT_SECONDS": 3, "CELERY_MAX_COUNTDOWN_SECONDS": 1}


@pytest.mark.celery_worker
@pytest.mark.parametrize("server_had_it", [False, True], ids=["killed-before-accept", "killed-after-accept"])
def test_worker_killed_mid_send_the_member_gets_one_message(celery_worker_process, smtp_server, server_had_it):
    """SIGKILL the whole worker while the SMTP server holds its DATA; a new worker finishes the job.

    Killed before the server accepted the message: exactly one copy arrives. Killed after (the
    window SMTP cannot close): the resend carries the same Message-ID, so the member's mail system
    sees one message; the sink counts two copies of it (at least once, README)."""
    sink = smtp_server(HoldingSMTPHandler(accept_held=server_had_it))
    # solo pool: the hard time limit (2 s here) is not enforced, so only our SIGKILL ends the send.
    first = celery_worker_process(sink.port, **KILL_TEST_SETTINGS)
    first.wait_ready()
    key = f"{KEY_PREFIX}killed:{uuid.uuid4()}"
    delivery = queue_test_email(key)
    _wait(sink.holding.is_set, "the worker to be mid-send")
    delivery.refresh_from_db()
    assert delivery.status == Status.SENDING
    first.kill()
    sink.release()

    second = celery_worker_process(sink.port, **KILL_TEST_SETTINGS)
    _wait(lambda: EmailDelivery.objects.get(pk=delivery.pk).status == Status.SENT, "the email to be sent again")
    assert {m["Message-ID"] for m in sink.messages} == {_message_id(key)}
    assert len(sink.messages) == (2 if server_had_it else 1)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert "sending again with the same Message-ID" in second.log(), second.log()


def test_sweep_rebuilds_pending_documents_whose_hand_off_was_lost(world, member, published, settings, sweep):
    """A PENDING generated document is enough to finish the work: the sweep hands it to the queue again
    once its last hand-off is stale, once per stale period; ready and uploaded documents are left alone."""
    from mae_portal.models import StoredDocument

    settings.OUTBOX_SWEEP_AFTER_MINUTES = 5
    now = timezone.now()
    profile = member.member

    def document(**fields):
        return StoredDocument.objects.create(
            kind="member_record", subject_type=ContentType.objects.get_for_model(profile), subject_id=str(profile.pk),
            owner=member, title="Copy", download_name="record.pdf", **fields)

    lost = document(copy_number=1, enqueued_at=now - timedelta(minutes=6))
    never = document(copy_number=2, enqueued_at=None)
    document(copy_number=3, enqueued_at=now - timedelta(minutes=1))  # its task is probably on its way
    document(copy_number=4, status=StoredDocument.Status.READY, enqueued_at=None)
    document(copy_number=5, origin=StoredDocument.Origin.UPLOADED, enqueued_at=None)

    assert sweep(now)["document_sweep"] == 2
    assert sorted(published) == sorted([str(lost.pk), str(never.pk)])
    assert sweep(now)["document_sweep"] == 0
