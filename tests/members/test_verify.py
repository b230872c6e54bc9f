"""The public page a membership card's QR code opens: name, status in plain words, valid-through date, nothing else."""

import uuid
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from members.services.terms import term_cancel
from tests.members.test_documents import join, pay_by_card


@pytest.fixture
def on_day(monkeypatch):
    """on_day(d): the verification page believes today is d."""

    def set_day(day):
        monkeypatch.setattr("members.clock.today", lambda: day)

    return set_day


@pytest.fixture
def paid_term(member, django_capture_on_commit_callbacks):
    payment = join(member.member)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(payment)
    return payment.term


def test_active_member_shows_only_name_status_and_valid_through(client, paid_term, on_day):
    on_day(date(2027, 3, 1))
    record = paid_term.member
    response = client.get(reverse("verify_card", args=[paid_term.verification_token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert record.display_name in html
    assert "Active member" in html and "Not active" not in html
    assert "August 31, 2027" in html
    for private in [str(record.member_number), record.local.name, record.email, record.legal_last_name + ",",
                    "ESP full-time", record.employer_district.name]:
        assert private not in html, private
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_expired_card_is_not_active_and_shows_when_it_ran_out(client, paid_term, on_day):
    on_day(date(2027, 10, 5))
    html = client.get(reverse("verify_card", args=[paid_term.verification_token])).content.decode()
    assert "Not active" in html and "Active member" not in html
    assert "August 31, 2027" in html


def test_renewed_member_scanning_last_years_card_is_active_through_the_new_year(client, paid_term, on_day,
                                                                                 django_capture_on_commit_callbacks):
    renewal = join(paid_term.member, today=date(2027, 8, 1), key="renew-1", renewal_of=paid_term)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(renewal)
    on_day(date(2027, 10, 5))
    html = client.get(reverse("verify_card", args=[paid_term.verification_token])).content.decode()
    assert "Active member" in html and "August 31, 2028" in html


def test_a_paid_renewal_carries_valid_through_on_to_the_next_year(client, paid_term, on_day,
                                                                   django_capture_on_commit_callbacks):
    renewal = join(paid_term.member, today=date(2027, 8, 1), key="renew-2", renewal_of=paid_term)
    on_day(date(2027, 8, 5))
    url = reverse("verify_card", args=[paid_term.verification_token])
    assert "August 31, 2027" in client.get(url).content.decode()  # renewal not paid yet
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(renewal)
    html = client.get(url).content.decode()
    assert "Active member" in html and "August 31, 2028" in html


def test_unpaid_or_cancelled_term_is_not_active_with_no_date(client, member, staff, on_day):
    term = join(member.member).term
    on_day(date(2027, 3, 1))  # never paid: lapsed
    html = client.get(reverse("verify_card", args=[term.verification_token])).content.decode()
    assert "Not active" in html and "No current membership" in html
    term_cancel(term=term, reason="Left the district", actor=staff)
    html = client.get(reverse("verify_card", args=[term.verification_token])).content.decode()
    assert "Not active" in html and "No current membership" in html


def test_unknown_and_malformed_tokens_answer_404(client, paid_term):
    assert client.get(reverse("verify_card", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/verify/not-a-token/").status_code == 404
    assert client.post(reverse("verify_card", args=[paid_term.verification_token])).status_code == 405


def test_signed_in_visitors_see_the_same_page(client, paid_term, outsider, on_day):
    on_day(date(2027, 3, 1))
    client.force_login(outsider)
    response = client.get(reverse("verify_card", args=[paid_term.verification_token]))
    assert response.status_code == 200 and "Active member" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_renewal_policy_is_read_from_the_cache_until_staff_change_it(django_assert_num_queries):
    from members.models import RenewalPolicy
    from members.services.catalog import renewal_policy_update

    RenewalPolicy.current()  # outside a transaction: read once, then cached
    with django_assert_num_queries(0):
        policy = RenewalPolicy.current()
    assert (policy.pk, policy.renewal_window_days, policy.grace_period_days) == (1, 45, 30)
    assert not policy._state.adding  # a saved row, as the database gave it
    renewal_policy_update(renewal_window_days=60, grace_period_days=21, actor=None)
    with django_assert_num_queries(1):  # the change cleared the cache
        assert (RenewalPolicy.current().renewal_window_days, RenewalPolicy.current().grace_period_days) == (60, 21)
    with transaction.atomic():
        RenewalPolicy.current().delete()
        assert RenewalPolicy.current().grace_period_days == 30  # made again, with the defaults
        assert cache.get(RenewalPolicy.CACHE_KEY) is None  # read inside a transaction: not cached
    assert RenewalPolicy.current().grace_period_days == 30


DAYS = [date(2026, 9, 1), date(2026, 12, 15), date(2027, 3, 1), date(2027, 8, 5), date(2027, 9, 15),
        date(2027, 10, 5), date(2028, 3, 1), date(2028, 10, 1)]


def orm_card(term, day):
    """The card page's answer the long way: the member's terms through the ORM, then card_valid_through."""
    from members.selectors.terms import card_valid_through, member_terms

    terms = member_terms(term.member, today=day)
    return (term.member.display_name, *card_valid_through(terms, card_term_pk=term.pk, today=day))


def test_the_one_query_answer_matches_the_orm_one_for_every_kind_of_term(member, staff,
                                                                         django_capture_on_commit_callbacks,
                                                                         django_assert_num_queries):
    """card_verification (one SQL query) against member_terms + card_valid_through, day after day: a paid year,
    a paid renewal, a monthly plan with its first draft paid (installments due later count as required), and a
    cancelled one."""
    from members.selectors.terms import card_verification

    record = member.member
    record.preferred_name = "Tammy"
    record.save(update_fields=["preferred_name"])
    first = join(record)
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(first)
    renewal = join(record, today=date(2027, 8, 1), key="renew-3", renewal_of=first.term, plan="monthly")
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(renewal)
    unpaid = join(record, today=date(2028, 8, 1), key="renew-4", renewal_of=renewal.term)
    term_cancel(term=unpaid.term, reason="Moved away", actor=staff)
    for term in [first.term, renewal.term, unpaid.term]:
        for day in DAYS:
            with django_assert_num_queries(1):
                answer = card_verification(term.verification_token, today=day)
            assert answer == orm_card(term, day), (term, day)
    assert card_verification(uuid.uuid4(), today=DAYS[0]) is None


def test_the_grace_period_comes_from_the_renewal_policy(member, on_day, client, django_capture_on_commit_callbacks):
    """A monthly plan with a draft missed 15 days ago is active under a 30-day grace period; staff shortening it
    to 10 days lapses the card at once."""
    from members.selectors.terms import card_verification
    from members.services.catalog import renewal_policy_update

    first = join(member.member, plan="monthly")
    with django_capture_on_commit_callbacks(execute=False):
        pay_by_card(first)
    term = first.term
    second = term.payments.get(installment_number=2)
    day = second.due_on + timedelta(days=15)
    on_day(day)
    url = reverse("verify_card", args=[term.verification_token])
    assert "Active member" in client.get(url).content.decode()
    renewal_policy_update(renewal_window_days=45, grace_period_days=10, actor=None)
    assert "Not active" in client.get(url).content.decode()
    assert card_verification(term.verification_token, today=day) == orm_card(term, day) == (
        member.member.display_name, False, None)
