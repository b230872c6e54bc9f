"""The staff member record read in one query (members.selectors.record) and its rows built in Python
(members.views.staff.record_rows): the same rows, values and markup as the ORM selectors and the template loops
they replace."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.utils import timezone

from mae_portal.audit import audit_trail_for
from mae_portal.models import StoredDocument
from members import clock
from members.models import GatewayEvent, Member, MembershipCategory, Payment, RenewalPolicy
from members.selectors.payments import (
    attach_refund_amounts,
    attach_terms,
    member_mismatched_events,
    member_payments_for_staff,
    member_plans_for_staff,
)
from members.selectors.record import member_record
from members.selectors.staff import member_documents_for_staff, member_notes
from members.selectors.terms import member_terms_from_payments, terms_money_from_payments
from members.services.join import membership_join
from members.services.notes import member_note_add
from members.services.payments import payment_failed, payment_flag, payment_record, payment_refund
from members.services.terms import term_cancel
from members.views.staff import record_rows
from members.views.staff.record_rows import Formats, payment_rows, term_rows, trail_rows
from tests.factories import MemberFactory

DAY = date(2026, 10, 15)
CHICAGO = ZoneInfo("America/Chicago")
S = "/members/staff"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: DAY)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _join(record, category, *, day, key, plan="annual", renewal_of=None):
    authorization = None
    if plan != "annual":
        authorization = {"typed_name": record.legal_name, "text": "I authorize MAE\nto draft <my> account.",
                         "ip": "10.0.0.9", "user_agent": "test", "signed_at": timezone.now()}
    return membership_join(member=record, category=category, plan_kind=plan, authorization=authorization, actor=None,
                           today=day, idempotency_key=key, renewal_of=renewal_of, draft_day=15)


def _paid(payment, when):
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.SUCCEEDED, paid_at=when)


@pytest.fixture
def full(member, staff, world):
    """The member persona with every part of a record: last year's term (paid just after midnight UTC, the day
    before in Chicago) and this year's renewal on monthly drafts, one draft returned, a check and its refund, a
    cancelled term, a flagged payment with an event not applied, documents, notes and text to escape."""
    esp = MembershipCategory.objects.get(code="esp-full-time")
    record = member.member
    cancelled = _join(record, esp, day=date(2025, 9, 2), key="full-cancelled")
    term_cancel(term=cancelled.term, reason="Moved <away> & back", actor=staff)
    last = _join(record, esp, day=date(2025, 9, 10), key="full-last")
    _paid(last, datetime(2025, 9, 11, 0, 30, tzinfo=ZoneInfo("UTC")))
    first = _join(record, esp, day=date(2026, 8, 20), key="full-renew", plan="monthly", renewal_of=last.term)
    drafts = list(first.term.payments.order_by("due_on"))
    for draft in drafts[:2]:
        _paid(draft, datetime.combine(draft.due_on, datetime.min.time().replace(hour=12), CHICAGO))
    payment_failed(payment=drafts[2], message='The bank said <no> & "returned"')
    check = payment_record(term=last.term, amount=Decimal("20.00"), method="check", check_number="77<81>",
                           note="At the <desk> & thanked", actor=staff, overpayment=True, idempotency_key="full-check")
    payment_refund(payment=check, amount=Decimal("20.00"), reason='Paid "twice"', actor=staff,
                   idempotency_key="full-refund")
    payment_flag(payment=drafts[0], reason="No answer <from> the gateway")
    GatewayEvent.objects.create(gateway="sandbox", event_id="evt_1", event_type="charge.succeeded", payload={"a": 1},
                                payment=drafts[0], amount=Decimal("1.00"), currency="usd", mismatch="for $1.00")
    StoredDocument.objects.create(owner=member, kind="card", title="Card <2026>", download_name="card.pdf",
                                  status=StoredDocument.Status.READY)
    StoredDocument.objects.create(owner=member, kind="card", title="Letter", download_name="l.pdf")
    member_note_add(member=record, text="Called.\nTwice & <b>loud</b>.", actor=staff, form_token="full-note")
    return record


def _values(obj, loaded) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in loaded}


def _same(ours, theirs) -> None:
    """The same rows in the same order, with the same values of every field ours loaded."""
    assert [o.pk for o in ours] == [t.pk for t in theirs]
    for o, t in zip(ours, theirs, strict=True):
        deferred = o.get_deferred_fields()
        assert _values(o, deferred) == _values(t, deferred)
        assert [str(v) for v in _values(o, deferred).values()] == [str(v) for v in _values(t, deferred).values()]


def test_record_reads_what_the_orm_selectors_read(full):
    record = member_record(full.member_number)
    member = Member.objects.select_related("user", "local", "employer_district__region", "worksite",
                                           "career_field").get(pk=full.pk)
    _same([record.member], [member])
    assert record.member.user.email == member.user.email and record.member.local == member.local
    assert str(record.member.employer_district.region) == str(member.employer_district.region)
    payments = member_payments_for_staff(member, joined=False)
    _same(record.payments, payments)
    assert [(p.recorded_by and p.recorded_by.email, p.refund_of_id and p.refund_of.amount) for p in record.payments] \
        == [(p.recorded_by and p.recorded_by.email, p.refund_of_id and p.refund_of.amount) for p in payments]
    terms = member_terms_from_payments(member, payments, today=DAY, policy=RenewalPolicy.current())
    _same(record.terms, terms)
    assert [(str(t.category), t.plan_id and t.plan.kind) for t in record.terms] == \
        [(str(t.category), t.plan_id and t.plan.kind) for t in terms]
    _same(record.plans, list(member_plans_for_staff(member)))
    assert [p.authorization and p.authorization.agreed_text for p in record.plans] == \
        [p.authorization and p.authorization.agreed_text for p in member_plans_for_staff(member)]
    _same(record.notes, list(member_notes(member)))
    assert [n.author.email for n in record.notes] == [n.author.email for n in member_notes(member)]
    _same(record.trail, list(audit_trail_for(member)))
    assert [e.actor and e.actor.email for e in record.trail] == [e.actor and e.actor.email for e in audit_trail_for(member)]
    _same(record.documents, list(member_documents_for_staff(member)))
    _same(record.mismatched_events, list(member_mismatched_events(member, payments=payments)))
    assert record.mismatched_events[0].payment is next(p for p in record.payments if p.pk == record.mismatched_events[0].payment_id)
    assert (record.policy.pk, record.policy.grace_period_days) == (1, RenewalPolicy.current().grace_period_days)


def test_record_is_read_without_more_queries(full, django_assert_num_queries):
    member_record(full.member_number)  # content types cached
    with django_assert_num_queries(1):
        record = member_record(full.member_number)
        terms = terms_money_from_payments(record.terms, attach_refund_amounts(record.payments), today=DAY,
                                          grace_days=record.policy.grace_period_days)
        attach_terms(record.payments, terms)
        term_rows(record.member, terms), payment_rows(record.member, record.payments), trail_rows(record.trail)
        [(p.member.member_number, p.term.year_label) for p in record.payments]
        [(t.member.display_name, t.plan, t.category.name) for t in record.terms]


def test_trail_keeps_its_limit_and_leaves_other_subjects_out(full, staff, world):
    other = MemberFactory(employer_district=world.district_b, local=world.local_b)
    member_note_add(member=other, text="Someone else", actor=staff, form_token="other-note")
    record = member_record(full.member_number, trail_limit=3)
    assert [e.pk for e in record.trail] == [e.pk for e in audit_trail_for(full, limit=3)]
    ct = ContentType.objects.get_for_model(Member)
    assert all((e.subject_type_id, e.subject_id) == (ct.pk, str(full.pk)) for e in record.trail)


def test_a_member_without_anything_and_one_that_is_not_there(world):
    bare = MemberFactory(employer_district=None, worksite=None, local=None, career_field=None)
    record = member_record(bare.member_number)
    assert record.member.pk == bare.pk and record.member.user is None and record.member.employer_district is None
    assert (record.terms, record.payments, record.plans, record.notes, record.documents, record.mismatched_events) \
        == ([], [], [], [], [], [])
    assert member_record(bare.member_number + 1000) is None
    assert member_record(10**20) is None


@pytest.mark.parametrize("number", ["999999999", "99999999999999999999999"])
def test_the_page_of_a_number_no_member_has_is_a_404(staff_client, world, number):
    assert staff_client.get(f"{S}/members/{number}/").status_code == 404


def test_the_page_checks_the_staff_scope_when_it_is_narrowed(staff_client, full, monkeypatch):
    from members.views.staff import record as view

    monkeypatch.setattr(view, "members_visible_to", lambda user: Member.objects.exclude(pk=full.pk))
    assert staff_client.get(f"{S}/members/{full.member_number}/").status_code == 404
    monkeypatch.setattr(view, "members_visible_to", lambda user: Member.objects.filter(pk=full.pk))
    assert staff_client.get(f"{S}/members/{full.member_number}/").status_code == 200


# The loops of members/staff/member.html that record_rows replaced, as they were.
TERM_LOOP = """{% for term in terms %}
    <tr>
      <td>{{ term.year_label }}{% if term.continues_id %}<br><span class="muted">renewal</span>{% endif %}</td>
      <td>{{ term.category }}{% if term.plan %}<br><span class="muted">{{ term.plan.get_kind_display }}</span>{% endif %}</td>
      <td>{{ term.start|date:"M j, Y" }} to {{ term.end|date:"M j, Y" }}</td>
      <td>${{ term.amount_due }}<br><span class="muted">local ${{ term.local_share }}, state ${{ term.state_share }}, national ${{ term.national_share }}</span></td>
      <td>${{ term.paid }}</td>
      <td>{{ term.status|capfirst }}{% if term.cancelled_at %}<br><span class="muted">{{ term.cancelled_at|date:"M j, Y" }}: {{ term.cancel_reason }}</span>{% endif %}</td>
      <td>
        {% if term.cancelled_at %}
          <a href="{% url 'members:staff_term_reinstate' member.member_number term.pk %}" aria-label="Reinstate the {{ term.year_label }} membership">Reinstate</a>
        {% else %}
          <a href="{% url 'members:staff_payment_record' member.member_number term.pk %}" aria-label="Record a payment for {{ term.year_label }}">Record payment</a><br>
          <a href="{% url 'members:staff_payment_adjust' member.member_number term.pk %}" aria-label="Credit or charge {{ term.year_label }}">Credit or charge</a><br>
          <a href="{% url 'members:staff_term_category' member.member_number term.pk %}" aria-label="Change the category of {{ term.year_label }}">Change category</a><br>
          <a href="{% url 'members:staff_term_cancel' member.member_number term.pk %}" aria-label="Cancel the {{ term.year_label }} membership">Cancel</a>
        {% endif %}
      </td>
    </tr>
  {% endfor %}"""  # noqa: E501
PAYMENT_LOOP = """{% for p in payments %}
    <tr>
      <td>{% if p.paid_at %}{{ p.paid_at|date:"M j, Y" }}{% elif p.due_on %}{{ p.due_on|date:"M j, Y" }}{% else %}{{ p.created_at|date:"M j, Y" }}{% endif %}</td>
      <td>{{ p.term.year_label }}</td>
      <td>${{ p.amount }}{% if p.refunded %}<br><span class="muted">${{ p.refunded }} refunded</span>{% endif %}</td>
      <td>{{ p.get_method_display }}{% if p.installment_number %}<br><span class="muted">installment {{ p.installment_number }}</span>{% endif %}</td>
      <td>{{ p.get_status_display }}</td>
      <td>{% if p.check_number %}Check {{ p.check_number }}. {% endif %}{% if p.refund_of %}Refund of ${{ p.refund_of.amount }} paid {{ p.refund_of.paid_at|date:"M j, Y" }}. {% endif %}{{ p.note }}{% if p.failure_message %} {{ p.failure_message }}{% endif %}{% if p.recorded_by %}<br><span class="muted">by {{ p.recorded_by.email }}</span>{% endif %}</td>
      <td>{% if p.refundable > 0 %}<a href="{% url 'members:staff_payment_refund' member.member_number p.pk %}" aria-label="Refund the ${{ p.amount }} payment{% if p.paid_at %} of {{ p.paid_at|date:'M j, Y' }}{% endif %}">Refund</a>{% endif %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501
TRAIL_LOOP = """{% load audit_tags %}{% for entry in trail %}
    <tr><td>{{ entry.created_at|date:"M j, Y g:i a" }}</td><td>{{ entry.actor.email|default:"System" }}</td><td>{{ entry.action|audit_action }}</td><td>{{ entry.object_repr }}</td><td>{{ entry.changes|audit_changes }}</td></tr>
  {% endfor %}"""  # noqa: E501


def _page_rows(number):
    """The record with what the page adds to its rows: money on the terms, refunds on the payments."""
    record = member_record(number)
    payments = attach_refund_amounts(record.payments)
    terms = terms_money_from_payments(record.terms, payments, today=DAY, grace_days=record.policy.grace_period_days)
    attach_terms(payments, terms)
    return record, terms, payments


def test_rows_are_what_the_template_loops_wrote(full):
    timezone.activate(CHICAGO)
    record, terms, payments = _page_rows(full.member_number)
    context = Context({"member": record.member, "terms": terms, "payments": payments, "trail": record.trail})
    assert term_rows(record.member, terms) == Template(TERM_LOOP).render(context)
    assert payment_rows(record.member, payments) == Template(PAYMENT_LOOP).render(context)
    assert trail_rows(record.trail) == Template(TRAIL_LOOP).render(context)
    rows = term_rows(record.member, terms) + payment_rows(record.member, payments) + trail_rows(record.trail)
    for part in ["Reinstate", "renewal", "refunded", "Refund of", "&lt;desk&gt;", "System", "&quot;returned&quot;",
                 "installment 2", "Check 77&lt;81&gt;."]:  # the fixture reaches every branch
        assert part in rows


def test_row_urls_follow_the_script_prefix(full):
    from django.urls import set_script_prefix

    record, terms, _ = _page_rows(full.member_number)
    try:
        set_script_prefix("/portal/")
        assert f'href="/portal/members/staff/members/{full.member_number}/terms/' in term_rows(record.member, terms)
    finally:
        set_script_prefix("/")
    assert f'href="/members/staff/members/{full.member_number}/terms/' in term_rows(record.member, terms)
    assert len(record_rows._ROW_URLS) >= 2


@pytest.mark.parametrize("value", [
    datetime(2026, 3, 8, 7, 59, tzinfo=ZoneInfo("UTC")),  # 1:59 a.m. in Chicago, before the clocks go forward
    datetime(2026, 3, 8, 8, 0, tzinfo=ZoneInfo("UTC")),
    datetime(2026, 11, 1, 5, 30, tzinfo=ZoneInfo("UTC")), datetime(2026, 11, 1, 7, 30, tzinfo=ZoneInfo("UTC")),
    datetime(2026, 1, 1, 0, 5, tzinfo=ZoneInfo("UTC")),  # Dec 31 in Chicago
    datetime(2026, 6, 1, 17, 0, tzinfo=ZoneInfo("UTC")),  # noon
    datetime(2026, 6, 1, 5, 0, tzinfo=ZoneInfo("UTC")),  # midnight
    datetime(2026, 6, 1, 23, 59, 59, 999999, tzinfo=ZoneInfo("UTC")),
    date(2026, 9, 1), date(999, 12, 31), None, "",
])
def test_dates_are_shown_as_the_date_filter_shows_them(value):
    timezone.activate(CHICAGO)
    context = Context({"v": value})
    formats = Formats()
    assert formats.day(value) == Template('{{ v|date:"M j, Y" }}').render(context)
    if not isinstance(value, date) or isinstance(value, datetime):
        assert formats.moment(value) == Template('{{ v|date:"M j, Y g:i a" }}').render(context)


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("0.00"), Decimal("-20.00"), Decimal("1234567.50"),
                                   Decimal("12.5"), Decimal("0E-2"), 12, 0, 1234567])
def test_numbers_are_shown_as_the_template_shows_them(value):
    formats = Formats()
    for _ in range(2):  # the second from the page's memo
        assert formats.number(value) == Template("{{ v }}").render(Context({"v": value}))


def test_equal_numbers_written_apart_stay_apart():
    formats = Formats()
    assert (formats.number(Decimal("12.5")), formats.number(Decimal("12.50"))) == ("12.5", "12.50")


def test_the_page_shows_every_part_once_per_request(staff_client, full):
    html = staff_client.get(f"{S}/members/{full.member_number}/").content.decode()
    assert html.count("Reinstate</a>") == 1 and "Moved &lt;away&gt; &amp; back" in html
    assert "Check 77&lt;81&gt;." in html and "$20.00 refunded" in html and "Refund of $20.00 paid" in html
    assert "The bank said &lt;no&gt; &amp; &quot;returned&quot;" in html
    assert "Gateway events not applied" in html and "Card &lt;2026&gt;" in html
    assert "Called.<br>Twice &amp; &lt;b&gt;loud&lt;/b&gt;." in html
    assert "I authorize MAE<br>to draft &lt;my&gt; account." in html


def test_the_page_reads_the_record_in_one_query(staff_client, full):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"{S}/members/{full.member_number}/"
    staff_client.get(url)  # the first page after signing in touches the session
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(url).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in sql if '"members_payment"' in s]) == 1, sql
    assert len(sql) <= 3, sql


def test_a_field_type_the_query_cannot_read_as_the_orm_does_is_refused():
    from types import SimpleNamespace

    from django.core.exceptions import ImproperlyConfigured
    from django.db import models

    from members.models import DuesRate
    from members.selectors.record import _Shape

    opens_at = models.TimeField()
    opens_at.set_attributes_from_name("opens_at")
    timed = SimpleNamespace(__name__="Timed", _meta=SimpleNamespace(concrete_fields=[Member._meta.pk, opens_at]))
    with pytest.raises(ImproperlyConfigured, match="TimeField"):
        _Shape(timed, "t")
    _Shape(DuesRate, "dr")  # dates and money: read with converters
