"""Prepared statements bind parameters on the server, whose protocol takes at most 65,535 per statement: past that,
the portal's cursor writes them into the statement (a nightly run asks about 82,000 terms at once)."""

from django.db import connection

from mae_portal.db_cursor import MAX_BOUND_PARAMETERS, PortalCursor
from members.models import Member
from tests.factories import MemberFactory


def test_the_portals_cursor_is_the_connections(db):
    connection.ensure_connection()
    assert connection.connection.cursor_factory is PortalCursor


def test_a_statement_with_more_parameters_than_the_protocol_binds_still_runs(world):
    member = MemberFactory()
    ids = [member.pk, *range(10**9, 10**9 + MAX_BOUND_PARAMETERS + 10)]
    assert Member.objects.filter(pk__in=ids).count() == 1
    assert list(Member.objects.filter(pk__in=ids).values_list("pk", flat=True)) == [member.pk]


def test_text_parameters_written_into_the_statement_are_quoted(world):
    MemberFactory(legal_last_name="O'Hara")
    names = ["O'Hara", *(f"x{i}'; DROP TABLE members_member; --" for i in range(MAX_BOUND_PARAMETERS))]
    assert Member.objects.filter(legal_last_name__in=names).count() == 1
    assert Member.objects.exists()


def test_a_batch_job_runs_unprepared_and_the_connection_prepares_again_after(world):
    from mae_portal.db_cursor import unprepared

    MemberFactory(legal_last_name="Batch")
    with unprepared():
        assert connection.connection.prepare_threshold is None
        assert Member.objects.filter(legal_last_name="Batch").count() == 1
    assert connection.connection.prepare_threshold == 2
    assert Member.objects.filter(legal_last_name="Batch").count() == 1
