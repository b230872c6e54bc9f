"""Statuses stored for the staff search's status filters (members/services/standing.py): the same members as
working each status out, whatever changed since they were stored, and by whatever code."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection

from members.models import Member, MembershipTerm, MemberStanding, Payment, StandingStale, StandingState
from members.selectors.search import MEMBER_STATUSES, member_search, member_search_page, members_with_status
from members.services import standing
from members.services.standing import member_standing_ready, member_standing_refresh_run
from tests.factories import MemberFactory
from tests.members.test_staff_pages import CHICAGO, GRACE, TODAYS, cases, esp, staff_client  # noqa: F401 (fixtures)


def computed(today):
    return dict(members_with_status(Member.objects.all(), today=today, grace_days=GRACE)
                .values_list("pk", "membership_status"))


def found(status, today, *, stored):
    return set(member_search(status=status, today=today, grace_days=GRACE, stored_status=stored)
               .values_list("pk", flat=True))


def test_stored_statuses_are_the_computed_ones_and_filter_the_same(cases):  # noqa: F811
    for today in TODAYS:
        assert member_standing_refresh_run(today=today, grace_days=GRACE) == {"stored": len(cases)}
        assert dict(MemberStanding.objects.values_list("member_id", "status")) == computed(today), today
        assert member_standing_ready(today=today, grace_days=GRACE)
        for status, _ in MEMBER_STATUSES:
            assert found(status, today, stored=True) == found(status, today, stored=False), (status, today)
        shown = member_search(query="paid", today=today, grace_days=GRACE, stored_status=True)
        assert {m.pk: m.membership_status for m in shown} == {
            m.pk: m.membership_status for m in member_search(query="paid", today=today, grace_days=GRACE)}


def test_any_write_to_terms_or_payments_queues_the_member_and_a_search_works_it_out(cases):  # noqa: F811
    today = date(2026, 10, 15)
    member_standing_refresh_run(today=today, grace_days=GRACE)
    assert not StandingStale.objects.exists()
    unpaid = cases["annual unpaid"]
    assert MemberStanding.objects.get(member=unpaid).status == "lapsed"
    # Paid, by code that goes around the services (an UPDATE of many rows, as a bulk fix would).
    Payment.objects.filter(term__member=unpaid).update(status="succeeded", paid_at=datetime(2026, 10, 1, tzinfo=CHICAGO))
    assert list(StandingStale.objects.values_list("member_id", flat=True)) == [unpaid.pk]
    assert found("active", today, stored=False) >= {unpaid.pk}
    assert member_standing_ready(today=today, grace_days=GRACE)  # works the queued one out
    assert not StandingStale.objects.exists() and MemberStanding.objects.get(member=unpaid).status == "active"
    assert found("active", today, stored=True) == found("active", today, stored=False)

    newcomer = MemberFactory()  # a new member is queued too: "none" once worked out
    term = MembershipTerm.objects.filter(member=cases["annual paid"]).first()
    Payment.objects.create(member=term.member, term=term, amount=Decimal("-300.00"), method="card", status="succeeded",
                           idempotency_key="refund-all", paid_at=datetime(2026, 10, 2, tzinfo=CHICAGO))
    assert set(StandingStale.objects.values_list("member_id", flat=True)) == {newcomer.pk, term.member_id}
    assert member_standing_ready(today=today, grace_days=GRACE)
    assert MemberStanding.objects.get(member=newcomer).status == "none"
    assert dict(MemberStanding.objects.values_list("member_id", "status")) == computed(today)
    with connection.cursor() as cursor:  # a statement in SQL that deletes nothing queues nobody
        cursor.execute("DELETE FROM members_payment WHERE term_id IN (SELECT id FROM members_membershipterm "
                       "WHERE member_id = %s)", [cases["never"].pk])
    assert not StandingStale.objects.exists()  # the member had no payments: nothing deleted, nobody queued


def test_stored_statuses_are_not_read_for_another_day_grace_period_or_too_many_changes(cases, monkeypatch):  # noqa: F811
    today = date(2026, 10, 15)
    assert not member_standing_ready(today=today, grace_days=GRACE)  # never stored
    member_standing_refresh_run(today=today, grace_days=GRACE)
    assert member_standing_ready(today=today, grace_days=GRACE)
    assert not member_standing_ready(today=date(2026, 10, 16), grace_days=GRACE)
    assert not member_standing_ready(today=today, grace_days=GRACE + 1)
    monkeypatch.setattr(standing, "READY_AT_MOST", 1)
    Payment.objects.update(note="touched")  # every member with a payment queued
    assert StandingStale.objects.count() > 1
    assert not member_standing_ready(today=today, grace_days=GRACE)  # too many: the search works them out itself
    assert StandingState.objects.get().day == today


def test_the_search_page_filters_on_stored_statuses_once_ready(staff_client, cases, monkeypatch,  # noqa: F811
                                                               django_assert_max_num_queries):
    today = date(2026, 10, 15)
    monkeypatch.setattr("members.clock.today", lambda: today)
    slow = staff_client.get("/members/staff/members/", {"status": "lapsed"})
    member_standing_refresh_run(today=today, grace_days=GRACE)
    with django_assert_max_num_queries(16):
        fast = staff_client.get("/members/staff/members/", {"status": "lapsed"})
    rows = [[m.pk for m in response.context["page"]] for response in (slow, fast)]
    assert rows[0] == rows[1] and rows[0]
    assert all(m.membership_status == "lapsed" for m in fast.context["page"])


@pytest.mark.parametrize("status", ["lapsed", "grace"])
def test_page_reads_stored_status_with_an_index(cases, status):  # noqa: F811
    today = date(2026, 9, 20)
    member_standing_refresh_run(today=today, grace_days=GRACE)
    page = member_search_page(page_number=1, status=status, today=today, grace_days=GRACE, stored_status=True)
    assert {m.membership_status for m in page} == {status}


def test_the_name_lexicon_holds_every_name_and_the_search_matches_as_the_trigram_operators(world):
    from django.db.models import Q

    from members.models import NameLexicon

    people = [MemberFactory(legal_last_name=last, legal_first_name=first, email=email) for last, first, email in [
        ("Johnson", "Cedric", "cj@example.org"), ("Walker", "Tamika", "tw@example.org"),
        ("Jonas", "Jon", "johnsonfamily@example.org"), ("Smith", "Sedrick", "ss@example.org")]]
    people[1].legal_last_name = "Jonsen"  # renamed: the new name joins the lexicon
    people[1].save()
    names = set(NameLexicon.objects.values_list("kind", "name"))
    assert {("last", "Johnson"), ("last", "Jonsen"), ("first", "Sedrick"), ("first", "Jon")} <= names
    for word in ["jonson", "cedric", "jon", "walker", "smith", "johnsonfamily"]:
        expected = set(Member.objects.filter(
            Q(legal_last_name__trigram_similar=word) | Q(legal_first_name__trigram_similar=word)
            | Q(email__trigram_word_similar=word) | Q(nea_id=word)).values_list("pk", flat=True))
        assert set(member_search(query=word, today=date(2026, 10, 15), grace_days=GRACE)
                   .values_list("pk", flat=True)) == expected, word
    both = member_search(query="cedric jonson", today=date(2026, 10, 15), grace_days=GRACE)
    assert list(both.values_list("pk", flat=True)) == [people[0].pk]  # every word must match
