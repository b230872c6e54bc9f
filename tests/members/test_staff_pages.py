"""Membership staff pages: search, the member's record, staff actions, categories and dues, member on date X."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from mae_portal.models import AuditLog, StoredDocument
from members import clock
from members.models import (
    CareerField,
    DuesRate,
    Member,
    MemberNote,
    MembershipCategory,
    MembershipTerm,
    Payment,
    PaymentPlan,
    RenewalNoticeRule,
    RenewalPolicy,
)
from members.selectors.search import (
    MEMBER_STATUSES,
    member_search,
    members_with_status,
    membership_status,
    terms_with_status,
)
from members.selectors.terms import member_terms
from members.services import payments as payment_services
from members.services.errors import MembershipError
from members.services.join import membership_join
from members.services.notes import member_note_add
from members.services.payments import payment_record, payment_refund
from members.services.quotes import membership_quote
from tests.factories import DistrictFactory, LocalFactory, MemberFactory, career_field

DAY = date(2026, 10, 15)  # "today" for the pages in these tests: membership year 2026-27
CHICAGO = ZoneInfo("America/Chicago")
S = "/members/staff"
GRACE = 30


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: DAY)


@pytest.fixture
def esp(world):
    return MembershipCategory.objects.get(code="esp-full-time")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def join(record, category, *, day=DAY, key=None, plan="annual", renewal_of=None, draft_day=1):
    authorization = None
    if plan != "annual":
        authorization = {"typed_name": record.legal_name, "text": "I authorize MAE to draft my account.",
                         "ip": "10.0.0.9", "user_agent": "test", "signed_at": timezone.now()}
    return membership_join(member=record, category=category, plan_kind=plan, authorization=authorization,
                                    actor=None, today=day, idempotency_key=key or f"t-{record.pk}-{day}-{plan}",
                                    renewal_of=renewal_of, draft_day=draft_day)


def paid(payment, when=None):
    """Mark a payment paid as the gateway would (test set-up: no event, no audit)."""
    Payment.objects.filter(pk=payment.pk).update(
        status=Payment.Status.SUCCEEDED, paid_at=when or datetime.combine(payment.due_on, datetime.min.time(), CHICAGO))


def errors_of(html):
    return re.findall(r'<p class="field-error" id="id_(\w+)-error">([^<]*)</p>', html)


# --- Status in SQL == status in Python -----------------------------------------------------------------------


def _term(record, category, start, end, *, amount="300.00", renewal_of=None, cancelled_at=None, schedule=(),
          plan=None):
    """A term made directly, for the table of cases. schedule: (due_on, amount, status) installments."""
    amount = Decimal(amount)
    term = MembershipTerm.objects.create(
        member=record, category=category, membership_year=start.year if start.month >= 9 else start.year - 1,
        period=(start, end + timedelta(days=1)), continues=renewal_of, plan=plan, local_share=Decimal("0"),
        state_share=amount, national_share=Decimal("0"), amount_due=amount, cancelled_at=cancelled_at,
    )
    for number, (due, value, status) in enumerate(schedule, 1):
        Payment.objects.create(
            member=record, term=term, amount=Decimal(value), method=Payment.Method.BANK_DRAFT, status=status,
            due_on=due, installment_number=number, idempotency_key=f"case-{term.pk}-{number}",
            paid_at=datetime.combine(due, datetime.min.time(), CHICAGO) if status == "succeeded" else None,
        )
    return term


Y25 = (date(2025, 9, 1), date(2026, 8, 31))
Y26 = (date(2026, 9, 1), date(2027, 8, 31))
TODAYS = [date(2026, 8, 15), date(2026, 9, 1), date(2026, 9, 20), date(2026, 10, 1), date(2026, 10, 2),
          date(2026, 10, 15), date(2026, 11, 14), date(2026, 11, 15), date(2026, 11, 20), date(2027, 3, 1),
          date(2027, 8, 31), date(2027, 9, 5), date(2027, 10, 5)]


@pytest.fixture
def cases(world, esp):
    """One member per situation, each with the terms and payments that make it."""
    def person(name):
        return MemberFactory(legal_last_name=name, employer_district=world.district_a, local=world.local_a)

    made = {}
    made["never"] = person("Never")
    m = made["annual paid"] = person("Annualpaid")
    _term(m, esp, *Y26, schedule=[(Y26[0], "300.00", "succeeded")])
    m = made["annual unpaid"] = person("Annualunpaid")
    _term(m, esp, *Y26, schedule=[(Y26[0], "300.00", "pending")])
    m = made["mid-year join unpaid"] = person("Midyear")
    _term(m, esp, date(2026, 10, 15), Y26[1], amount="275.00", schedule=[(date(2026, 10, 15), "275.00", "failed")])
    m = made["installments, first paid"] = person("Firstpaid")
    _term(m, esp, *Y26, schedule=[(Y26[0], "100.00", "succeeded"), (date(2026, 10, 1), "100.00", "scheduled"),
                                   (date(2026, 11, 1), "100.00", "scheduled")])
    m = made["installments, two paid"] = person("Twopaid")
    _term(m, esp, *Y26, schedule=[(Y26[0], "100.00", "succeeded"), (date(2026, 10, 1), "100.00", "succeeded"),
                                   (date(2026, 11, 1), "100.00", "scheduled")])
    m = made["renewal unpaid"] = person("Renewunpaid")
    last = _term(m, esp, *Y25, schedule=[(Y25[0], "300.00", "succeeded")])
    _term(m, esp, *Y26, renewal_of=last, schedule=[(Y26[0], "300.00", "pending")])
    m = made["renewal on drafts behind"] = person("Renewbehind")
    last = _term(m, esp, *Y25, schedule=[(Y25[0], "300.00", "succeeded")])
    _term(m, esp, *Y26, renewal_of=last, schedule=[(Y26[0], "150.00", "succeeded"), (date(2026, 10, 1), "150.00", "failed")])
    m = made["last year only, paid"] = person("Lastyearpaid")
    _term(m, esp, *Y25, schedule=[(Y25[0], "300.00", "succeeded")])
    m = made["last year only, unpaid"] = person("Lastyearunpaid")
    _term(m, esp, *Y25, schedule=[(Y25[0], "300.00", "failed")])
    m = made["cancelled this year, paid last year"] = person("Cancelled")
    _term(m, esp, *Y25, schedule=[(Y25[0], "300.00", "succeeded")])
    _term(m, esp, *Y26, cancelled_at=datetime(2026, 10, 1, 12, tzinfo=CHICAGO),
          schedule=[(Y26[0], "300.00", "succeeded")])
    m = made["paid then half refunded"] = person("Refunded")
    term = _term(m, esp, *Y26, schedule=[(Y26[0], "300.00", "succeeded")])
    Payment.objects.create(member=m, term=term, amount=Decimal("-150.00"), method="card", status="succeeded",
                           idempotency_key=f"refund-{term.pk}", paid_at=datetime(2026, 9, 20, 12, tzinfo=CHICAGO))
    return made


def test_term_status_in_sql_agrees_with_dues_term_status(cases):
    checked = 0
    for today in TODAYS:
        sql = dict(terms_with_status(MembershipTerm.objects.all(), today=today, grace_days=GRACE)
                   .values_list("pk", "status_sql"))
        for record in cases.values():
            for term in member_terms(record, today=today):
                assert sql[term.pk] == term.status, (record.legal_last_name, term.year_label, today)
                checked += 1
    statuses = {t.status for r in cases.values() for d in TODAYS for t in member_terms(r, today=d)}
    assert statuses == {"pending", "active", "grace", "lapsed", "cancelled", "expired"}  # the table covers them all
    assert checked > 150


def test_member_status_in_sql_agrees_with_membership_status(cases):
    seen = set()
    for today in TODAYS:
        sql = dict(members_with_status(Member.objects.all(), today=today, grace_days=GRACE)
                   .values_list("pk", "membership_status"))
        for name, record in cases.items():
            expected = membership_status(member_terms(record, today=today), today=today,
                                                   grace_days=GRACE)
            assert sql[record.pk] == expected, (name, today)
            seen.add(expected)
    assert seen == {"none", "pending", "active", "grace", "lapsed"}


def test_status_filter_shortcuts_change_no_result(cases):
    """member_search first keeps the members who could have the status at all; that must drop nobody."""
    for today in TODAYS:
        annotated = members_with_status(Member.objects.all(), today=today, grace_days=GRACE)
        for status, _ in MEMBER_STATUSES:
            expected = set(annotated.filter(membership_status=status).values_list("pk", flat=True))
            found = set(member_search(status=status, today=today, grace_days=GRACE).values_list("pk", flat=True))
            assert found == expected, (status, today)


@pytest.mark.parametrize(("name", "today", "status"), [
    ("never", DAY, "none"),
    ("annual paid", DAY, "active"),
    ("annual unpaid", date(2026, 9, 20), "pending"),  # a first-time join is pending, not in grace
    ("annual unpaid", date(2026, 10, 2), "lapsed"),
    ("renewal unpaid", date(2026, 9, 20), "grace"),
    ("renewal unpaid", date(2026, 10, 2), "lapsed"),
    ("renewal on drafts behind", date(2026, 10, 30), "active"),  # one failed draft: grace after its due date
    ("renewal on drafts behind", date(2026, 10, 31), "lapsed"),
    ("last year only, paid", date(2026, 9, 30), "grace"),  # may still renew without a break
    ("last year only, paid", date(2026, 10, 1), "lapsed"),
    ("last year only, unpaid", date(2026, 9, 5), "lapsed"),
    ("cancelled this year, paid last year", DAY, "lapsed"),
    ("paid then half refunded", date(2026, 11, 1), "lapsed"),
])
def test_member_status_table(cases, name, today, status):
    annotated = members_with_status(Member.objects.filter(pk=cases[name].pk), today=today, grace_days=GRACE)
    assert annotated.get().membership_status == status


# --- Search ----------------------------------------------------------------------------------------------------


@pytest.fixture
def people(world, member, esp):
    """A few members to find, in both regions."""
    ft = career_field("food-services")
    made = {
        "shelton": member.member,
        "johnson": MemberFactory(legal_first_name="Darnell", legal_last_name="Johnson", email="dj.johnson@example.net",
                                 employer_district=world.district_a, local=world.local_a, nea_id="NEA0042"),
        "williams": MemberFactory(legal_first_name="Latoya", legal_last_name="Williams", email="latoya.w@example.net",
                                  employer_district=world.district_b, local=world.local_b, career_field=ft),
        "tamika_b": MemberFactory(legal_first_name="Tamika", legal_last_name="Holloway", email="th@example.net",
                                  employer_district=world.district_b, local=world.local_b),
    }
    paid(join(made["shelton"], esp, day=date(2026, 9, 1)))
    join(made["johnson"], esp, day=date(2026, 10, 10))  # pending
    paid(join(made["williams"], MembershipCategory.objects.get(code="active-professional"), day=date(2026, 9, 2)))
    return made


def numbers_in(response):
    return [m.member_number for m in response.context["page"]]


@pytest.mark.parametrize(("query", "who"), [
    ("Shelten", "shelton"),  # typo
    ("shelton", "shelton"),
    ("jonson", "johnson"),  # typo
    ("dj.johns", "johnson"),  # partial email
    ("latoya.w@exam", "williams"),
    ("NEA0042", "johnson"),
    ("tamika tupelo", "shelton"),  # every word must match: first name and district
    ("Greenvile Holloway", "tamika_b"),  # district with a typo, and a last name
])
def test_search_finds_by_name_email_nea_id_and_district(staff_client, people, query, who):
    response = staff_client.get(f"{S}/members/", {"q": query})
    assert response.status_code == 200
    assert numbers_in(response)[0] == people[who].member_number, query


def test_search_by_member_number_is_exact(staff_client, people):
    number = people["williams"].member_number
    response = staff_client.get(f"{S}/members/", {"q": f" {number} "})
    assert numbers_in(response) == [number]
    assert staff_client.get(f"{S}/members/", {"q": "999999999"}).context["page"].total == 0


def test_search_district_name_lists_its_members(staff_client, people, world):
    response = staff_client.get(f"{S}/members/", {"q": "Greenville"})
    assert set(numbers_in(response)) == {people["williams"].member_number, people["tamika_b"].member_number}


def test_exact_nea_id_comes_before_similar_names(staff_client, people, world):
    MemberFactory(legal_first_name="Nea", legal_last_name="Nea0042", employer_district=world.district_a,
                  local=world.local_a)
    response = staff_client.get(f"{S}/members/", {"q": "NEA0042"})
    assert numbers_in(response)[0] == people["johnson"].member_number


def test_search_filters(staff_client, people, world, esp):
    def found(**params):
        return set(numbers_in(staff_client.get(f"{S}/members/", params)))

    number = {key: m.member_number for key, m in people.items()}
    assert found(status="active") == {number["shelton"], number["williams"]}
    assert found(status="pending") == {number["johnson"]}
    assert found(status="none") == {number["tamika_b"]}
    assert found(category=esp.pk) == {number["shelton"], number["johnson"]}
    assert found(career_field=CareerField.objects.get(slug="food-services").pk) == {number["williams"]}
    assert found(local=world.local_b.pk) == {number["williams"], number["tamika_b"]}
    assert found(region=world.region_a.pk) == {number["shelton"], number["johnson"]}
    assert found(q="tamika", region=world.region_b.pk) == {number["tamika_b"]}
    html = staff_client.get(f"{S}/members/", {"q": "shelton"}).content.decode()
    assert "Active" in html and "ESP full-time" in html


def test_bad_filter_is_explained_and_lists_everyone(staff_client, people):
    response = staff_client.get(f"{S}/members/", {"status": "sleeping"})
    html = response.content.decode()
    assert "error-summary" in html and 'id="id_status-error"' in html
    assert response.context["page"].total == Member.objects.count()


def test_search_pages_by_fifty(staff_client, world):
    district = DistrictFactory(name="Pascagoula-Gautier School District", region=world.region_a)
    local = LocalFactory(districts=[district])
    MemberFactory.create_batch(55, legal_last_name="Pruitt", employer_district=district, local=local)
    first = staff_client.get(f"{S}/members/", {"q": "pruit"})
    # The first page is shown without counting every match: it says there are more than 50.
    assert first.context["page"].total is None and len(first.context["page"]) == 50
    assert "More than 50 members found" in first.content.decode()
    assert 'href="?q=pruit&amp;page=2"' in first.content.decode()
    second = staff_client.get(f"{S}/members/", {"q": "pruit", "page": 2})
    assert len(second.context["page"]) == 5 and second.context["page"].total == 55
    assert "Members 51 to 55 of 55 found" in second.content.decode()
    assert 'href="?q=pruit&amp;page=1"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()


def test_search_query_count_does_not_grow_with_rows(staff_client, world, esp, django_assert_max_num_queries):
    def add(count, district):
        for record in MemberFactory.create_batch(count, legal_last_name="Stringer", employer_district=district,
                                                 local=world.local_a):
            paid(join(record, esp, day=date(2026, 9, 1)))

    add(3, world.district_a)
    params = {"q": "stringer tupelo", "status": "active", "region": world.region_a.pk}
    with django_assert_max_num_queries(30) as few:
        response = staff_client.get(f"{S}/members/", params)
    assert response.context["page"].total == 3
    add(40, world.district_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(f"{S}/members/", params)
    assert response.context["page"].total == 43


def test_name_search_can_use_the_lexicon_and_the_indexes(people):
    # The words' similar names are found in the lexicon first (its trigram index or its key), then members by name.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT kind, name FROM members_namelexicon WHERE name % 'shelton'")
        lexicon_plan = " ".join(row[0] for row in cursor.fetchall())
    assert "name_lexicon_trgm" in lexicon_plan or "name_lexicon_unique" in lexicon_plan
    members = member_search(query="tamika shelton", today=DAY, grace_days=GRACE)
    with connection.cursor() as cursor:
        # A tiny table would be read whole anyway: leave the planner only bitmap index scans to choose from.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = members.explain()
    # Names: the lexicon's similar ones, looked up on the members' name indexes; email: trigrams.
    assert "member_name_idx" in plan and "member_first_name_idx" in plan and "member_email_trgm" in plan
    assert "members_namelexicon" not in plan


# --- The member's record -----------------------------------------------------------------------------------------


@pytest.fixture
def rich(member, staff, esp):
    """The member persona with last year's term and this year's renewal on monthly drafts, a check, a
    refund, a document and a note."""
    record = member.member
    last = join(record, esp, day=date(2025, 9, 10), key="rich-last")
    paid(last)
    first = join(record, esp, day=date(2026, 8, 20), key="rich-renew", plan="monthly", renewal_of=last.term,
                 draft_day=15)
    for draft in first.term.payments.filter(due_on__lte=DAY):  # the drafts due so far went through
        paid(draft)
    check = payment_record(term=last.term, amount=Decimal("20.00"), method="check", check_number="7781",
                                    actor=staff, overpayment=True, idempotency_key="rich-check")  # refunded below
    payment_refund(payment=check, amount=Decimal("20.00"), reason="Paid twice", actor=staff,
                            idempotency_key="rich-refund")
    StoredDocument.objects.create(owner=member, kind="card", title="Membership card 2026-27",
                                  download_name="card.pdf", status=StoredDocument.Status.READY)
    member_note_add(member=record, text="Called about the card.", actor=staff, form_token="rich-note")
    return record


def test_member_record_shows_terms_payments_plans_documents_notes_and_audit(staff_client, rich):
    response = staff_client.get(f"{S}/members/{rich.member_number}/")
    assert response.status_code == 200
    html = response.content.decode()
    terms = response.context["terms"]
    assert [(t.year_label, t.status) for t in terms] == [("2026-27", "active"), ("2025-26", "expired")]
    assert "Status this year</dt><dd><strong>Active</strong>" in html
    assert "Check 7781" in html and "$20.00 refunded" in html and "Paid twice" in html
    assert "Refund of $20.00 paid" in html  # the refund's payment, from the rows the page loaded
    assert "Monthly bank draft" in html and "Signed “Tamika Shelton”" in html and "10.0.0.9" in html
    document = StoredDocument.objects.get(owner=rich.user, title="Membership card 2026-27")
    assert f'href="/documents/{document.pk}/"' in html
    assert "Called about the card." in html
    actions = {entry.action for entry in response.context["trail"]}
    assert {"membership.joined", "membership.renewal_started", "payment.recorded", "payment.refunded",
            "member.note_added"} <= actions
    assert "form_token" not in html
    assert f"/members/staff/members/{rich.member_number}/terms/new/" not in html  # covered; not renewable yet


def test_member_record_audit_trail_leaves_out_other_members(staff_client, rich, world, esp, staff):
    other = MemberFactory(employer_district=world.district_b, local=world.local_b)
    member_note_add(member=other, text="Someone else", actor=staff, form_token="other-note")
    response = staff_client.get(f"{S}/members/{rich.member_number}/")
    assert all(e.object_repr != str(other) for e in response.context["trail"])
    assert "Someone else" not in response.content.decode()


def test_member_record_query_count_does_not_grow_with_payments(staff_client, rich, staff, django_assert_max_num_queries):
    term = rich.terms.get(membership_year=2025)
    staff_client.get(f"{S}/members/{rich.member_number}/")  # the first page after signing in touches the session
    with django_assert_max_num_queries(12) as few:
        staff_client.get(f"{S}/members/{rich.member_number}/")
    baseline = len(few.captured_queries)  # now: a request outside a capture resets the query log
    for n in range(15):
        payment_record(term=term, amount=Decimal("1.00"), method="cash", actor=staff, overpayment=True,
                       idempotency_key=f"more-{n}")
    staff_client.get(f"{S}/members/{rich.member_number}/")  # once more: process caches (content types) warm
    with django_assert_max_num_queries(baseline):
        response = staff_client.get(f"{S}/members/{rich.member_number}/")
    assert len(response.context["payments"]) > 15


def test_note_is_added_once_per_form_and_audited(staff_client, member, staff):
    record = member.member
    url = f"{S}/members/{record.member_number}/notes/"
    html = staff_client.get(f"{S}/members/{record.member_number}/").content.decode()
    token = re.search(r'name="token" value="(\w+)"', html).group(1)
    for _ in range(2):
        response = staff_client.post(url, {"text": "Asked for a payday plan.", "token": token})
        assert response.status_code == 302
    assert MemberNote.objects.filter(member=record).count() == 1
    entry = AuditLog.objects.get(action="member.note_added")
    assert entry.actor == staff and entry.object_id == str(record.pk)
    response = staff_client.post(url, {"text": "   ", "token": "other"})
    assert response.status_code == 200 and ("text", "This field is required.") in errors_of(response.content.decode())
    assert MemberNote.objects.count() == 1


# --- Staff actions -----------------------------------------------------------------------------------------------


@pytest.fixture
def unpaid(member, esp):
    """The member persona, joined on DAY on an annual plan, not paid yet."""
    return join(member.member, esp, key="unpaid").term


def token_of(response):
    return re.search(r'name="token" value="(\w+)"', response.content.decode()).group(1)


def test_record_check_reviews_then_records_once(staff_client, unpaid, staff):
    url = f"{S}/members/{unpaid.member.member_number}/terms/{unpaid.pk}/payment/"
    token = token_of(staff_client.get(url))
    data = {"method": "check", "amount": "306.17", "check_number": "1042", "note": "At the office", "token": token}
    review = staff_client.post(url, data)
    html = review.content.decode()
    assert review.status_code == 200 and "Check, then confirm" in html and "$306.17" in html and "check 1042" in html
    assert not Payment.objects.filter(method="check").exists()  # nothing until confirmed
    for _ in range(2):  # a double click on Confirm
        response = staff_client.post(url, {**data, "confirm": "1"})
        assert response.status_code == 302
        assert response["Location"] == f"{S}/members/{unpaid.member.member_number}/"
    payment = Payment.objects.get(method="check")
    assert payment.status == "succeeded" and payment.recorded_by == staff and payment.check_number == "1042"
    assert AuditLog.objects.filter(action="payment.recorded", object_id=str(payment.pk)).count() == 1
    assert member_terms(unpaid.member, today=DAY)[0].status == "active"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"method": "check", "amount": "10", "check_number": ""}, "check_number", "Enter the check number."),
    ({"method": "cash", "amount": "0"}, "amount", "greater than or equal to 0.01"),
    ({"method": "cash", "amount": "ten"}, "amount", "Enter a number."),
    ({"method": "card", "amount": "10"}, "method", "Select a valid choice"),
])
def test_bad_payment_input_is_explained_next_to_the_field(staff_client, unpaid, data, field, message):
    url = f"{S}/members/{unpaid.member.member_number}/terms/{unpaid.pk}/payment/"
    response = staff_client.post(url, {**data, "token": "abc", "confirm": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html
    assert any(f == field and message in m for f, m in errors_of(html)), errors_of(html)
    assert Payment.objects.count() == 1 and not AuditLog.objects.filter(action="payment.recorded").exists()


def test_service_refusal_becomes_a_message_and_nothing_is_stored(staff_client, unpaid, monkeypatch):
    def refuse(**kwargs):
        raise MembershipError("The office is closed.")

    monkeypatch.setattr(payment_services, "payment_record", refuse)
    url = f"{S}/members/{unpaid.member.member_number}/terms/{unpaid.pk}/payment/"
    response = staff_client.post(url, {"method": "cash", "amount": "5", "token": "t", "confirm": "1"})
    assert response.status_code == 200 and "The office is closed." in response.content.decode()
    assert Payment.objects.count() == 1


def test_refund_part_then_the_rest_never_more(staff_client, unpaid, staff):
    check = payment_record(term=unpaid, amount=Decimal("306.17"), method="check", check_number="9",
                                    actor=staff, idempotency_key="to-refund")
    url = f"{S}/members/{unpaid.member.member_number}/payments/{check.pk}/refund/"
    assert "Up to $306.17" in staff_client.get(url).content.decode()
    response = staff_client.post(url, {"amount": "100", "reason": "Moved to part-time", "token": "r1", "confirm": "1"})
    assert response.status_code == 302
    response = staff_client.post(url, {"amount": "250", "reason": "Too much", "token": "r2", "confirm": "1"})
    assert ("amount", "At most $206.17 of this payment can be refunded.") in errors_of(response.content.decode())
    staff_client.post(url, {"amount": "206.17", "reason": "Left the district", "token": "r3", "confirm": "1"})
    assert sorted(check.refunds.values_list("amount", flat=True)) == [Decimal("-206.17"), Decimal("-100.00")]
    response = staff_client.get(url)  # nothing left to refund
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="payment.refunded").count() == 2


def test_adjustments_credit_and_charge(staff_client, unpaid, staff):
    url = f"{S}/members/{unpaid.member.member_number}/terms/{unpaid.pk}/adjust/"
    staff_client.post(url, {"kind": "credit", "amount": "306.17", "reason": "Hardship waiver", "token": "a1",
                            "confirm": "1"})
    staff_client.post(url, {"kind": "charge", "amount": "25", "reason": "Returned check fee", "token": "a2",
                            "confirm": "1"})
    staff_client.post(url, {"kind": "charge", "amount": "25", "reason": "Returned check fee", "token": "a2",
                            "confirm": "1"})  # the same form again
    amounts = sorted(unpaid.payments.filter(method="adjustment").values_list("amount", flat=True))
    assert amounts == [Decimal("-25.00"), Decimal("306.17")]
    response = staff_client.post(url, {"kind": "credit", "amount": "5", "reason": "", "token": "a3", "confirm": "1"})
    assert ("reason", "This field is required.") in errors_of(response.content.decode())


def test_change_category_shows_new_dues_then_changes(staff_client, unpaid, staff):
    part_time = MembershipCategory.objects.get(code="esp-part-time")
    url = f"{S}/members/{unpaid.member.member_number}/terms/{unpaid.pk}/category/"
    review = staff_client.post(url, {"category": part_time.pk}).content.decode()
    assert "$306.17 → $154.00" in review
    unpaid.refresh_from_db()
    assert unpaid.category.code == "esp-full-time"
    assert staff_client.post(url, {"category": part_time.pk, "confirm": "1"}).status_code == 302
    unpaid.refresh_from_db()
    assert unpaid.category == part_time and unpaid.amount_due == Decimal("154.00")
    assert AuditLog.objects.get(action="term.category_changed").actor == staff


def test_cancel_needs_a_reason_stops_drafts_and_reinstate_undoes_it(staff_client, member, esp, staff):
    first = join(member.member, esp, key="drafts", plan="monthly", draft_day=15)
    term = first.term
    base = f"{S}/members/{member.member.member_number}/terms/{term.pk}"
    response = staff_client.post(f"{base}/cancel/", {"reason": ""})
    assert ("reason", "This field is required.") in errors_of(response.content.decode())
    assert staff_client.post(f"{base}/cancel/", {"reason": "Joined in error"}).status_code == 302
    term.refresh_from_db()
    assert term.cancelled_at and term.cancel_reason == "Joined in error"
    assert not term.payments.filter(status="scheduled").exists()
    assert staff_client.post(f"{base}/reinstate/", {}).status_code == 302
    term.refresh_from_db()
    assert term.cancelled_at is None
    assert [e.action for e in AuditLog.objects.filter(action__startswith="term.").order_by("id")] == [
        "term.cancelled", "term.reinstated"]


def test_staff_join_by_check_makes_one_paid_term(staff_client, world, staff, esp):
    record = MemberFactory(employer_district=world.district_a, local=world.local_a)
    url = f"{S}/members/{record.member_number}/terms/new/"
    page = staff_client.get(url)
    assert "Join from today (October 15, 2026) to August 31, 2027" in page.content.decode()
    data = {"which": "join", "category": esp.pk, "method": "check", "check_number": "5521", "token": token_of(page)}
    review = staff_client.post(url, data).content.decode()
    assert "$306.17" in review and "prorated" in review and "check 5521" in review
    for _ in range(2):
        assert staff_client.post(url, {**data, "confirm": "1"}).status_code == 302
    term = MembershipTerm.objects.get(member=record)
    payment = term.payments.get()
    assert payment.method == "check" and payment.status == "succeeded" and payment.recorded_by == staff
    assert term.plan.kind == "annual" and term.plan.auto_renew is False  # nothing saved to charge next year
    assert member_terms(record, today=DAY)[0].status == "active"
    assert {"membership.joined", "payment.recorded", "plan.auto_renew_cancelled"} <= set(
        AuditLog.objects.values_list("action", flat=True))
    # Covered now: nothing more to create.
    assert staff_client.get(url).status_code == 302


def test_staff_join_check_needs_its_number_and_online_leaves_it_pending(staff_client, world, esp):
    record = MemberFactory(employer_district=world.district_a, local=world.local_a)
    url = f"{S}/members/{record.member_number}/terms/new/"
    response = staff_client.post(url, {"which": "join", "category": esp.pk, "method": "check", "token": "j1",
                                       "confirm": "1"})
    assert ("check_number", "Enter the check number.") in errors_of(response.content.decode())
    assert not MembershipTerm.objects.filter(member=record).exists()
    staff_client.post(url, {"which": "join", "category": esp.pk, "method": "online", "token": "j2", "confirm": "1"})
    assert MembershipTerm.objects.get(member=record).payments.get().status == "pending"


def test_staff_renewal_in_the_window(staff_client, member, esp, monkeypatch):
    last = join(member.member, esp, day=date(2025, 9, 10), key="renew-last")
    paid(last)
    monkeypatch.setattr(clock, "today", lambda: date(2026, 8, 10))
    url = f"{S}/members/{member.member.member_number}/terms/new/"
    html = staff_client.get(url).content.decode()
    assert "Renew 2025-26: the whole 2026-27 year" in html and "Join from today" not in html
    # Only the term offered can be renewed.
    response = staff_client.post(url, {"which": "renew:999999", "category": esp.pk, "method": "cash", "token": "x",
                                       "confirm": "1"})
    assert "Select a valid choice" in response.content.decode()
    staff_client.post(url, {"which": f"renew:{last.term.pk}", "category": esp.pk, "method": "cash", "token": "rn",
                            "confirm": "1"})
    renewal = MembershipTerm.objects.get(continues=last.term)
    assert renewal.start == date(2026, 9, 1) and renewal.amount_due == Decimal("334.00")
    assert renewal.payments.get().method == "cash"
    assert staff_client.get(url).status_code == 302  # renewed: nothing more to create before the year starts


# --- Categories, dues, renewal policy, notices -----------------------------------------------------------------


def test_categories_page_lists_rates_policy_and_notices(staff_client, esp):
    DuesRate.objects.create(category=esp, effective_from=date(2027, 9, 1), local_share=Decimal("15"),
                            state_share=Decimal("200"), national_share=Decimal("135"))
    html = staff_client.get(f"{S}/categories/").content.decode()
    assert "ESP full-time" in html and "$334.00" in html and "$350.00" in html and "From Sep 1, 2027" in html
    assert "Renewal opens 45 days before" in html and "30 days before" in html


def test_add_category_with_its_first_rate(staff_client, staff):
    data = {"code": "esp-substitute", "name": "ESP substitute", "description": "Substitute support staff",
            "suggested_for_kind": "esp", "suggested_for_basis": "part_time", "proration": "monthly",
            "allows_installments": "on", "is_active": "on", "sort_order": "9", "effective_from": "2026-09-01",
            "local_share": "5.00", "state_share": "60.00", "national_share": "40.00"}
    assert staff_client.post(f"{S}/categories/new/", data).status_code == 302
    category = MembershipCategory.objects.get(code="esp-substitute")
    assert category.rates.get().total == Decimal("105.00")
    entry = AuditLog.objects.get(action="category.created")
    assert entry.actor == staff and entry.changes["rate"]["total"] == "105.00"
    response = staff_client.post(f"{S}/categories/new/", {**data, "local_share": "-1"})
    errors = errors_of(response.content.decode())
    assert ("code", "Membership category with this Code already exists.") in errors
    assert any(f == "local_share" for f, _ in errors)
    assert MembershipCategory.objects.filter(code="esp-substitute").count() == 1


def test_add_rate_validates_shares_and_dates(staff_client, esp, staff):
    url = f"{S}/categories/{esp.code}/rates/new/"
    good = {"effective_from": "2027-09-01", "local_share": "15", "state_share": "200", "national_share": "135"}
    response = staff_client.post(url, {**good, "state_share": "-5"})
    assert ("state_share", "Ensure this value is greater than or equal to 0.") in errors_of(response.content.decode())
    response = staff_client.post(url, {**good, "effective_from": "2025-09-01"})
    assert ("effective_from", "ESP full-time already has a rate from this date. Choose another date.") in errors_of(
        response.content.decode())
    assert esp.rates.count() == 1
    assert staff_client.post(url, good).status_code == 302
    assert esp.rates.count() == 2
    assert AuditLog.objects.get(action="dues_rate.added").changes["total"] == "350.00"
    # A new rate changes the dues of memberships starting from its date on.
    quote = membership_quote(category=esp, today=date(2027, 9, 1))
    assert quote.amount == Decimal("350.00")


def test_edit_category_is_audited(staff_client, esp):
    data = {"name": "ESP full-time", "description": "Full-time ESPs", "suggested_for_kind": "esp",
            "suggested_for_basis": "full_time", "proration": "half_year", "allows_installments": "on",
            "is_active": "on", "sort_order": "2"}
    assert staff_client.post(f"{S}/categories/{esp.code}/edit/", data).status_code == 302
    esp.refresh_from_db()
    assert esp.proration == "half_year"
    assert AuditLog.objects.get(action="category.updated").changes["proration"] == ["monthly", "half_year"]


def test_renewal_policy_and_notice_rules(staff_client, esp):
    response = staff_client.post(f"{S}/renewal-policy/", {"renewal_window_days": "0", "grace_period_days": "30"})
    assert ("renewal_window_days", "Enter a number of days from 1 to 180.") in errors_of(response.content.decode())
    staff_client.post(f"{S}/renewal-policy/", {"renewal_window_days": "60", "grace_period_days": "21"})
    policy = RenewalPolicy.current()
    assert (policy.renewal_window_days, policy.grace_period_days) == (60, 21)
    assert AuditLog.objects.get(action="renewal_policy.updated").changes == {
        "renewal_window_days": [45, 60], "grace_period_days": [30, 21]}

    response = staff_client.post(f"{S}/notices/new/", {"offset_days": "-30"})  # exists for every category
    assert any(f == "offset_days" and "exists already" in m for f, m in errors_of(response.content.decode()))
    assert staff_client.post(f"{S}/notices/new/", {"offset_days": "-30", "category": esp.pk}).status_code == 302
    assert staff_client.post(f"{S}/notices/new/", {"offset_days": "-60"}).status_code == 302
    assert RenewalNoticeRule.objects.filter(category=esp, offset_days=-30).exists()
    rule = RenewalNoticeRule.objects.get(category=None, offset_days=14)
    assert "Turn off the renewal notice" in staff_client.get(f"{S}/notices/{rule.pk}/toggle/").content.decode()
    staff_client.post(f"{S}/notices/{rule.pk}/toggle/", {})
    rule.refresh_from_db()
    assert rule.is_active is False
    assert AuditLog.objects.filter(action__startswith="notice_rule.").count() == 3


# --- Member on date X --------------------------------------------------------------------------------------------


def test_member_on_date(staff_client, member, esp):
    record = member.member
    first = join(record, esp, day=date(2025, 10, 1), key="covered")
    paid(first, when=datetime(2025, 10, 1, 12, tzinfo=CHICAGO))
    url = f"{S}/lookup/"
    html = staff_client.get(url, {"member_number": record.member_number, "day": "2026-03-14"}).content.decode()
    assert "Member on March 14, 2026" in html and "ESP full-time 2025-26" in html and "Active" in html
    html = staff_client.get(url, {"member_number": record.member_number, "day": "2025-09-15"}).content.decode()
    assert "Not a member on September 15, 2025" in html and "No membership covered that date." in html
    html = staff_client.get(url, {"member_number": "999999999", "day": "2026-03-14"}).content.decode()
    assert "No member has this number" in html and "error-summary" in html


def test_member_on_date_unpaid_term_is_not_coverage(staff_client, member, esp):
    record = member.member
    join(record, esp, day=date(2025, 10, 1), key="never-paid")
    html = staff_client.get(f"{S}/lookup/", {"member_number": record.member_number, "day": "2026-03-14"}).content.decode()
    assert "Not a member on March 14, 2026" in html and "Lapsed" in html


# --- The admin ----------------------------------------------------------------------------------------------------


def test_admin_edits_categories_with_rates_and_reads_payments(client, admin_user, unpaid, esp):
    client.force_login(admin_user)
    assert client.get(f"/admin/members/membershipcategory/{esp.pk}/change/").status_code == 200
    for model in ["duesrate", "renewalpolicy", "renewalnoticerule", "membershipterm", "payment", "paymentplan",
                  "gatewayevent", "draftauthorization", "membernote", "renewalnotice"]:
        assert client.get(f"/admin/members/{model}/").status_code == 200, model
    payment = Payment.objects.get()
    assert client.get(f"/admin/members/payment/{payment.pk}/change/").status_code == 200
    assert client.get("/admin/members/payment/add/").status_code == 403
    assert client.post(f"/admin/members/payment/{payment.pk}/change/", {"amount": "1"}).status_code == 403
    assert PaymentPlan.objects.get().kind == "annual"


def test_staff_tools_are_linked_from_the_dashboard(client, staff, member):
    client.force_login(staff)
    html = client.get("/dashboard/").content.decode()
    for url in ("/members/staff/members/", "/members/staff/lookup/", "/members/staff/categories/"):
        assert f'href="{url}"' in html
    client.force_login(member)
    assert "/members/staff/" not in client.get("/dashboard/").content.decode()
