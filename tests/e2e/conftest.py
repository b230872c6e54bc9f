"""Browser fixtures for the end-to-end tests: pytest-playwright driving Debian's Chromium.

Never run `playwright install`: the tests use the system browser at CHROMIUM.
"""

import os

import pytest

from tests.conftest import require_or_skip

CHROMIUM = "/usr/bin/chromium"

# While Playwright's sync API is started, its asyncio loop counts as running in this thread. Django then
# refuses ORM calls (hence the variable below) and keeps this thread's database connections apart from
# the ones it had before Playwright started (asgiref's Local turns context-local).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def playwright(playwright):
    yield playwright
    # The connections opened while Playwright ran are invisible once it stops; close them now, or the
    # test database cannot be dropped at the end of the session ("being accessed by other users").
    from django.db import connections

    connections.close_all()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Checked here as well as in each test, so a missing browser skips before Playwright tries to launch it.
    require_or_skip(os.path.exists(CHROMIUM), f"needs {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "locale": "en-US"}


@pytest.fixture
def page(page):
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(20_000)
    return page
