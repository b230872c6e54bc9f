"""A real Celery worker process, over Redis, delivering to a real SMTP server.

Everything else in the suite runs Celery eagerly; these tests check what only a worker shows: the
task is retried after a transient SMTP error (451) and a replayed message sends nothing more, so the
member gets exactly one email. The worker and its fixtures: tests/portal/celery_harness.py.
"""

import re
import uuid

import environ
import pytest

from mae_portal.emails import _message_id
from mae_portal.models import EmailDelivery
from mae_portal.tasks import deliver_email
from tests.portal.celery_harness import KEY_PREFIX, TASK, database_url
from tests.portal.celery_harness import queue_test_email as _queue_test_email


@pytest.mark.parametrize(
    "settings_dict",
    [
        {"USER": "postgres", "PASSWORD": "", "HOST": "/work/main/.local/pgdata", "PORT": "5432", "NAME": "test_mae_portal"},
        {"USER": "postgres", "PASSWORD": "", "HOST": "/tmp/a+b c", "PORT": "", "NAME": "test_x"},
        {"USER": "postgres", "PASSWORD": "p@ss:/w", "HOST": "127.0.0.1", "PORT": "5432", "NAME": "test_mae_portal"},
        {"USER": "postgres", "PASSWORD": "", "HOST": "", "PORT": "", "NAME": "test_mae_portal"},
    ],
)
def test_database_url_round_trips_through_django_environ(settings_dict):
    parsed = environ.Env.db_url_config(database_url(settings_dict))
    assert parsed["ENGINE"] == "django.db.backends.postgresql"
    for key in ("USER", "PASSWORD", "HOST", "NAME"):
        assert parsed[key] == settings_dict[key], key
    assert str(parsed["PORT"]) == settings_dict["PORT"]


# --- The tests --------------------------------------------------------------------------------------------------------------------


@pytest.mark.celery_worker
def test_worker_delivers_once_despite_retry_and_replayed_message(celery_worker_process, flaky_smtp):
    sink = flaky_smtp(failures=1)  # the first DATA gets "451 try again later"
    worker = celery_worker_process(sink.port)
    worker.wait_ready()

    key = f"{KEY_PREFIX}{uuid.uuid4()}"
    delivery = _queue_test_email(key)
    deliver_email.delay(delivery.pk)  # the same message again, as a broker replaying it would

    # Two task runs finish: the original (after its retry) and the replay. One run was a retry.
    worker.wait_for(lambda: len(worker.events("succeeded")) >= 2, "both deliver_email tasks to finish")
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT

    # A replay after the email went out sends nothing either.
    deliver_email.delay(delivery.pk)
    worker.wait_for(lambda: len(worker.events("succeeded")) >= 3, "the late replay to finish")

    assert len(worker.events("retry")) == 1, worker.log()
    assert sink.rejected == 1
    assert len(sink.messages) == 1, [m["Message-ID"] for m in sink.messages]
    message = sink.messages[0]
    assert message["To"] == "tamika.shelton@example.org"
    assert message["Message-ID"] == _message_id(key)
    assert "Hello Tamika Shelton," in message.get_body(("plain",)).get_content()

    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 2  # the 451, then the delivery; the replays found it sent
    assert delivery.last_error == ""
    assert delivery.sent_at is not None
    assert EmailDelivery.objects.filter(idempotency_key=key).count() == 1


@pytest.mark.celery_worker
def test_concurrent_duplicate_tasks_send_one_email(celery_worker_process, flaky_smtp, redis_broker):
    """Two worker processes take the same delivery at once: the first claims it (SENDING, committed
    before any SMTP traffic), the second finds the claim and leaves the email alone."""
    sink = flaky_smtp(delay=2.0)  # each delivery stays in flight for 2 s
    key = f"{KEY_PREFIX}concurrent:{uuid.uuid4()}"
    delivery = _queue_test_email(key)
    deliver_email.delay(delivery.pk)
    assert redis_broker.llen("email") == 2  # both messages wait, on the email queue, before the worker starts

    worker = celery_worker_process(sink.port, pool="prefork", concurrency=2)
    worker.wait_for(lambda: len(worker.events("succeeded")) >= 2, "both deliver_email tasks to finish")

    # The runs overlapped: one held the SMTP exchange (2 s) while the other found its claim.
    # (Run one after the other, the second would have found the email sent, and logged nothing.)
    runtimes = [float(s) for s in re.findall(rf"Task {re.escape(TASK)}\[[0-9a-f-]+\] succeeded in ([0-9.]+)s", worker.log())]
    assert len(runtimes) == 2 and max(runtimes) > 1.0, f"unexpected runs: {runtimes}\n{worker.log()}"
    assert f"email delivery {delivery.pk} is being sent by another worker" in worker.log(), worker.log()
    assert len(sink.messages) == 1
    assert sink.messages[0]["Message-ID"] == _message_id(key)
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 1
