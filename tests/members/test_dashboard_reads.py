"""The dashboard's cheaper reads give the same answers as the ones they replace."""

import pytest
from django.contrib.auth.models import Permission

from members.portal import may_view_roster
from tests.conftest import PERSONAS


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_member_tools_show_for_whoever_has_the_roster_permission(request, persona):
    user = request.getfixturevalue(persona)
    assert may_view_roster(user) == user.has_perm("members.view_roster")


def test_no_permission_row_can_grant_the_roster_outside_its_rule(db):
    assert not Permission.objects.filter(codename="view_roster").exists()


def test_the_dashboard_shows_each_payments_year_from_the_terms_it_loaded(client, member, django_capture_on_commit_callbacks):
    from tests.members.test_documents import join, pay_by_card

    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(payment)
    client.force_login(member)
    html = client.get("/dashboard/").content.decode()
    assert f"({payment.term.year_label})" in html


def test_terms_from_the_loaded_payments_match_member_terms(member, staff, django_capture_on_commit_callbacks):
    """member_terms_from_payments against member_terms, day after day: a paid year, a monthly renewal with
    drafts still to come, a cancelled unpaid one."""
    from datetime import date

    from members.models import RenewalPolicy
    from members.selectors.payments import member_payments
    from members.selectors.terms import member_terms, member_terms_from_payments
    from members.services.terms import term_cancel
    from tests.members.test_documents import join, pay_by_card
    from tests.members.test_verify import DAYS

    record = member.member
    first = join(record)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(first)
    renewal = join(record, today=date(2027, 8, 1), key="renew-a", renewal_of=first.term, plan="monthly")
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(renewal)
    unpaid = join(record, today=date(2028, 8, 1), key="renew-b", renewal_of=renewal.term)
    term_cancel(term=unpaid.term, reason="Moved away", actor=staff)
    policy = RenewalPolicy.current()
    payments = list(member_payments(record))
    for day in DAYS:
        expected = [(t.pk, t.paid, t.required_now, t.status) for t in member_terms(record, today=day, policy=policy)]
        got = [(t.pk, t.paid, t.required_now, t.status)
               for t in member_terms_from_payments(record, payments, today=day, policy=policy)]
        assert got == expected, day
