import os

import pytest

from tests.portal.celery_harness import (  # noqa: F401 - fixtures, shared by the worker tests
    _test_database,
    celery_worker_process,
    committed_db,
    flaky_smtp,
    redis_broker,
    smtp_server,
)


@pytest.fixture
def broker_url():
    """The Redis database the worker tests use (flushed before each); a module may override this fixture."""
    return os.environ.get("MAE_TEST_BROKER_URL", "redis://127.0.0.1:6379/2")
