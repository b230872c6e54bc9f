"""A real Celery worker process over Redis, for the tests that check what only a worker shows.

Everything else in the suite runs Celery eagerly. The worker is a separate process: it must see
committed rows (see `committed_db`), and it is handed the test database through DATABASE_URL. The
broker is the `broker_url` fixture (tests/portal/conftest.py; a test module may override it), a
Redis database kept for these tests: it is flushed before each test. Without Redis the tests skip,
except in CI (MAE_REQUIRE_ALL_TESTS) where they fail.
"""

import asyncio
import email
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from email import policy
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.db import connection

from mae_portal.celery import app as celery_app
from mae_portal.emails import send_email
from mae_portal.models import EmailDelivery
from tests.conftest import _free_port, require_or_skip

BASE_DIR = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # seconds: the longest any wait in these tests may take
TASK = "mae_portal.tasks.deliver_email"
ALL_QUEUES = "celery,email,documents"


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


class HoldingSMTPHandler:
    """aiosmtpd handler that keeps the first message's DATA waiting until `release()`, so the worker
    sending it is caught mid-send. `accept_held`: whether the held message then counts as delivered
    (the server had it before the sender died) or is dropped (the sender died first)."""

    def __init__(self, accept_held):
        self.accept_held = accept_held
        self.holding = threading.Event()  # the first DATA has arrived and waits
        self._released = threading.Event()
        self.messages = []

    def release(self):
        self._released.set()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        if not self.holding.is_set():
            if self.accept_held:  # queued for delivery before the reply, as an MTA does
                self.messages.append(message)
            self.holding.set()
            while not self._released.is_set():  # aiosmtpd cancels this when the sender's connection drops
                await asyncio.sleep(0.05)  # the event loop keeps serving other connections
            return "451 4.3.0 Try again later"
        self.messages.append(message)
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    """smtp_server(handler) -> the handler, served on loopback, with `.port`."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(handler):
        handler.port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
        controller.start()
        controllers.append(controller)
        return handler

    yield start
    for controller in controllers:
        if hasattr(controller.handler, "release"):
            controller.handler.release()
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


def use_broker(url):
    """From now on this process publishes to `url` (not eagerly)."""
    celery_app.conf.update(broker_url=url, task_always_eager=False)
    _reset_publisher_pools()


@pytest.fixture
def redis_broker(broker_url):
    """This process publishes tasks to Redis (not eagerly) for the test; the Redis database starts empty."""
    require_or_skip(_redis_reachable(broker_url), f"needs Redis at {broker_url}")
    import redis

    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    # The Celery app read Django's settings once; overriding settings.CELERY_* now would change nothing.
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    use_broker(broker_url)
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

    def events(self, kind, task=TASK) -> list[str]:
        """Task ids in log lines such as `Task mae_portal.tasks.deliver_email[<id>] succeeded in ...`."""
        return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] {kind}\b", self.log())

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

    def kill(self):
        """SIGKILL the whole worker, main process and pool alike, as an OOM kill or a lost host would."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=15)

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


@pytest.fixture(scope="session")
def _test_database(django_db_setup, django_db_blocker):
    """The test database, even when no selected test asks pytest-django for one (`-m celery_worker`):
    pytest-django creates it only for tests marked django_db or using db/transactional_db."""
    from django.test.utils import setup_databases, teardown_databases

    if connection.settings_dict["NAME"] == connection.creation._get_test_db_name():
        yield  # pytest-django set it up
        return
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture
def committed_db(_test_database, django_db_blocker):
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
def celery_worker_process(committed_db, redis_broker, broker_url, tmp_path):
    """celery_worker_process(smtp_port, pool=..., concurrency=..., queues=..., **settings) -> a started
    Worker on the test database, in a process group of its own; `settings` are extra environment variables.

    Stopped at teardown, before committed_db cleans up."""
    workers = []

    def start(smtp_port, *, pool="solo", concurrency=1, queues=ALL_QUEUES, **settings):
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
            CELERY_BROKER_URL=broker_url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            EMAIL_RETRY_BASE_SECONDS="1",  # the first retry waits 1 s, not 30
            CELERY_MAX_COUNTDOWN_SECONDS="1",
            MEDIA_ROOT=str(tmp_path / "media"),
            PYTHONUNBUFFERED="1",
        )
        env.update({key: str(value) for key, value in settings.items()})
        log_path = tmp_path / f"worker-{len(workers)}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "mae_portal", "worker",
            f"--pool={pool}", f"--concurrency={concurrency}", "-l", "info", "-Q", queues,
            "-n", f"mae-test-{uuid.uuid4().hex[:8]}@%h",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(proc, log_path)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def queue_test_email(key):
    # send_email enqueues deliver_email in transaction.on_commit; outside a transaction that is at once.
    return send_email(
        "document-ready",
        "tamika.shelton@example.org",
        {"name": "Tamika Shelton", "document": {"title": "Copy of my member record"}},
        idempotency_key=key,
    )


