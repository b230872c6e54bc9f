"""A real Celery worker process, over Redis, delivering to a real SMTP server.

Everything else in the suite runs Celery eagerly; these tests check what only a worker shows: the
task is retried after a transient SMTP error (451) and a replayed message sends nothing more, so the
member gets exactly one email.

The worker is a separate process: it must see committed rows (see `committed_db`), and it is handed
the test database through DATABASE_URL. The broker is MAE_TEST_BROKER_URL (default
redis://127.0.0.1:6379/2, a Redis database kept for these tests: it is flushed before each test).
Without Redis the tests skip, except in CI (MAE_REQUIRE_ALL_TESTS) where they fail.
"""

import asyncio
import email
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from email import policy
from pathlib import Path
from urllib.parse import quote, urlencode

import environ
import pytest
from django.db import connection

from mae_portal.celery import app as celery_app
from mae_portal.emails import _message_id, send_email
from mae_portal.models import EmailDelivery
from mae_portal.tasks import deliver_email
from tests.conftest import _free_port, require_or_skip

BASE_DIR = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("MAE_TEST_BROKER_URL", "redis://127.0.0.1:6379/2")
TIMEOUT = 60  # seconds: the longest any wait in these tests may take
TASK = "mae_portal.tasks.deliver_email"


# --- The test database, as a DATABASE_URL the worker's settings understand -----------------------------------


def database_url(settings_dict) -> str:
    """DATABASE_URL for Django's connection settings, as django-environ parses it.

    A Unix socket directory (the embedded PostgreSQL) cannot be the URL's host; django-environ takes
    it from a percent-encoded path instead: postgres://user@:port/%2Fsocket%2Fdir%2Fdbname.
    """
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or ""
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    if host.startswith("/"):
        netloc, path = f"{credentials}@{port}", quote(f"{host.rstrip('/')}/{settings_dict['NAME']}", safe="")
    else:
        netloc, path = f"{credentials}@{host}{port}", quote(settings_dict["NAME"], safe="")
    options = settings_dict.get("OPTIONS") or {}
    return f"postgres://{netloc}/{path}" + (f"?{urlencode(options)}" if options else "")


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


# --- An SMTP server that turns the first messages away --------------------------------------------------------------


class FlakySMTPHandler:
    """aiosmtpd handler: answers the first `failures` DATA commands with 451 (try again later),
    accepts the rest. `delay` seconds pass before each answer, to keep a delivery in flight."""

    def __init__(self, failures=0, delay=0.0):
        self.failures = failures
        self.delay = delay
        self.rejected = 0
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.rejected < self.failures:
            self.rejected += 1
            return "451 4.3.0 Temporary local problem, try again later"
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def flaky_smtp():
    """flaky_smtp(failures=..., delay=...) -> a started FlakySMTPHandler with `.port`."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(failures=0, delay=0.0):
        handler = FlakySMTPHandler(failures, delay)
        handler.port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
        controller.start()
        controllers.append(controller)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


# --- Redis, and this process publishing to it ----------------------------------------------------------------------------


def _redis_reachable(url) -> bool:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, OSError, ValueError):
        return False
    return True


def _reset_publisher_pools():
    """Close and forget the cached broker connections, so the next publish uses the current broker_url."""
    from kombu import pools

    pools.reset()  # kombu's process-wide pools, keyed by broker URL; a merely closed pool would stay registered
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_broker():
    """This process publishes tasks to Redis (not eagerly) for the test; the Redis database starts empty."""
    require_or_skip(_redis_reachable(BROKER_URL), f"needs Redis at {BROKER_URL}")
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()
    # The Celery app read Django's settings once; overriding settings.CELERY_* now would change nothing.
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    conf.update(broker_url=BROKER_URL, task_always_eager=False)
    _reset_publisher_pools()
    yield client
    conf.update(saved)
    _reset_publisher_pools()
    client.flushdb()
    client.close()


# --- The worker ------------------------------------------------------------------------------------------------------------------


class Worker:
    def __init__(self, proc, log_path):
        self.proc = proc
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def events(self, kind) -> list[str]:
        """Task ids in log lines such as `Task mae_portal.tasks.deliver_email[<id>] succeeded in ...`."""
        return re.findall(rf"Task {re.escape(TASK)}\[([0-9a-f-]+)\] {kind}\b", self.log())

    def wait_for(self, predicate, what, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.proc.poll() is not None:
                pytest.fail(f"the worker exited ({self.proc.returncode}) before {what}\n{self._tail()}")
            time.sleep(0.2)
        pytest.fail(f"gave up after {timeout}s waiting for {what}\n{self._tail()}")

    def wait_ready(self):
        self.wait_for(lambda: re.search(r"@\S+ ready\.", self.log()), "the worker to be ready")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    def _tail(self):
        return "--- worker log (tail) ---\n" + self.log()[-6000:]


KEY_PREFIX = "celery-worker-test:"


@pytest.fixture
def committed_db(django_db_setup, django_db_blocker):
    """The test database without a test transaction around the test: rows are committed at once, so
    the worker sees them, and on_commit callbacks run at once.

    Not transactional_db: its flush at teardown empties every table, including what migrations put
    there (groups, career fields), and tests that pytest-django runs later do not expect that.
    These tests make only EmailDelivery rows with KEY_PREFIX keys, and delete them."""
    with django_db_blocker.unblock():
        try:
            yield
        finally:
            EmailDelivery.objects.filter(idempotency_key__startswith=KEY_PREFIX).delete()


@pytest.fixture
def celery_worker_process(committed_db, redis_broker, tmp_path):
    """celery_worker_process(smtp_port, pool=..., concurrency=...) -> a started Worker on the test database.

    Stopped at teardown, before committed_db cleans up."""
    workers = []

    def start(smtp_port, *, pool="solo", concurrency=1):
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CELERY_", "DATABASE_", "EMAIL_", "REDIS_", "AWS_"))
            and key not in {"DJANGO_SETTINGS_MODULE", "MEDIA_ROOT", "DEFAULT_FROM_EMAIL"}
        }
        env.update(
            DEBUG="true",
            DJANGO_SETTINGS_MODULE="mae_portal.settings",
            DATABASE_URL=database_url(connection.settings_dict),
            CONN_MAX_AGE="0",
            CELERY_BROKER_URL=BROKER_URL,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            CELERY_MAX_COUNTDOWN_SECONDS="1",  # the first retry waits 1 s, not 30
            MEDIA_ROOT=str(tmp_path / "media"),
            PYTHONUNBUFFERED="1",
        )
        log_path = tmp_path / f"worker-{len(workers)}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "mae_portal", "worker",
            f"--pool={pool}", f"--concurrency={concurrency}", "-l", "info",
            "-n", f"mae-test-{uuid.uuid4().hex[:8]}@%h",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        worker = Worker(proc, log_path)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def _queue_test_email(key):
    # send_email enqueues deliver_email in transaction.on_commit; outside a transaction that is at once.
    return send_email(
        "document-ready",
        "tamika.shelton@example.org",
        {"name": "Tamika Shelton", "document": {"title": "Copy of my member record"}},
        idempotency_key=key,
    )


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
    """Two worker processes take the same delivery at once: the row lock makes the second wait,
    then find the email sent."""
    sink = flaky_smtp(delay=2.0)  # each delivery stays in flight for 2 s
    key = f"{KEY_PREFIX}concurrent:{uuid.uuid4()}"
    delivery = _queue_test_email(key)
    deliver_email.delay(delivery.pk)
    assert redis_broker.llen("celery") == 2  # both messages wait before the worker starts

    worker = celery_worker_process(sink.port, pool="prefork", concurrency=2)
    worker.wait_for(lambda: len(worker.events("succeeded")) >= 2, "both deliver_email tasks to finish")

    # Both runs took about as long as one SMTP exchange: they ran side by side, the second waiting on the lock.
    # (Run one after the other, the second would have found the email sent at once.)
    runtimes = [float(s) for s in re.findall(rf"Task {re.escape(TASK)}\[[0-9a-f-]+\] succeeded in ([0-9.]+)s", worker.log())]
    assert len(runtimes) == 2 and min(runtimes) > 1.0, f"the two tasks did not overlap: {runtimes}\n{worker.log()}"
    assert len(sink.messages) == 1
    assert sink.messages[0]["Message-ID"] == _message_id(key)
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.attempts == 1
