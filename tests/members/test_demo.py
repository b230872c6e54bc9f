"""Demo data: realistic memberships, made through the join service, quietly, and only once."""

import importlib
from collections import Counter
from datetime import date

import pytest
from django.apps import apps as django_apps

from mae_portal.models import AuditLog, EmailDelivery, StoredDocument
from mae_portal.roles import sync_group_permissions
from members.demo import load_demo
from members.models import District, Member, MembershipTerm, Payment, PaymentPlan
from members.reference import ensure_career_fields
from members.selectors.search import members_with_status
from members.selectors.terms import member_terms

TODAY = date(2026, 11, 22)


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks, mailoutbox):
    from members.models import CareerField

    ensure_career_fields(CareerField)
    sync_group_permissions()
    # A transactional test (the browser tests) may have run first and flushed the migration-made rows.
    importlib.import_module("members.migrations.0003_default_categories").load(django_apps, None)
    with django_capture_on_commit_callbacks(execute=True):  # as when `make run` commits it
        result = load_demo(member_count=60, today=TODAY)
    return result


def statuses(today):
    members = members_with_status(Member.objects.all(), today=today, grace_days=30)
    return Counter(members.values_list("membership_status", flat=True))


def test_demo_memberships_are_realistic(demo):
    assert demo["members"] == 62 and demo["terms_created"] > 60
    counts = statuses(TODAY)
    assert counts["active"] > 62 * 0.6
    assert counts["lapsed"] and counts["pending"] and counts["none"]
    # Renewal notices around the end of 2026-27 have terms to go to.
    assert MembershipTerm.objects.filter(membership_year=2026, cancelled_at__isnull=True).count() >= 40
    plans = Counter(PaymentPlan.objects.filter(status="active").values_list("kind", flat=True))
    assert plans["annual"] and plans["monthly"] and plans["payday"]
    drafts = Payment.objects.filter(term__plan__kind__in=["monthly", "payday"])
    assert drafts.filter(status="scheduled", due_on__gt=TODAY).exists()
    assert not drafts.filter(status="scheduled", due_on__lte=TODAY).exists()  # no backlog for the nightly run
    assert Payment.objects.filter(method="check", recorded_by__email="staff@example.org").exists()  # at the office


def test_payday_plans_follow_their_district_payroll(demo):
    jackson = District.objects.get(name="Jackson Public School District")
    assert (jackson.pay_schedule, jackson.pay_anchor) == ("biweekly", date(2025, 8, 29))
    assert District.objects.get(name="Harrison County School District").pay_schedule == "semimonthly"
    for plan in PaymentPlan.objects.filter(kind="payday", status="active").select_related("member__employer_district"):
        district = plan.member.employer_district
        dates = list(Payment.objects.filter(term__plan=plan, installment_number__gt=1).values_list("due_on", flat=True))
        assert len(dates) >= 8
        if district.pay_schedule == "biweekly":
            assert all((d - district.pay_anchor).days % 14 in (0, 13, 12, 11) for d in dates)  # Fridays, or before a holiday
        assert plan.authorization.typed_name == plan.member.legal_name


def test_the_member_persona(demo):
    record = Member.objects.get(user__email="member@example.org")
    terms = member_terms(record, today=TODAY)
    assert [(t.year_label, t.category.code, t.plan.kind, t.status) for t in terms] == [
        ("2026-27", "esp-full-time", "annual", "active"), ("2025-26", "esp-full-time", "annual", "expired")]
    assert terms[0].continues_id == terms[1].pk and terms[0].paid == terms[0].amount_due


def test_demo_sends_nothing_and_writes_no_payment_events(demo, mailoutbox):
    assert mailoutbox == [] and not EmailDelivery.objects.exists()
    # Only the personas' own card, coverage letter and receipt, so the demo dashboard shows them.
    assert set(StoredDocument.objects.values_list("owner__email", flat=True)) <= {"member@example.org", "leader@example.org"}
    assert StoredDocument.objects.filter(owner__email="member@example.org", kind="card", status="ready").exists()
    assert not AuditLog.objects.filter(action__startswith="payment.").exists()


def test_demo_is_idempotent(demo):
    counts = (Member.objects.count(), MembershipTerm.objects.count(), Payment.objects.count(),
              PaymentPlan.objects.count())
    again = load_demo(member_count=60, today=TODAY)
    assert again["members_created"] == 0 and again["terms_created"] == 0
    assert (Member.objects.count(), MembershipTerm.objects.count(), Payment.objects.count(),
            PaymentPlan.objects.count()) == counts


def test_last_years_members_are_in_grace_in_september(db):
    from members.models import CareerField

    ensure_career_fields(CareerField)
    sync_group_permissions()
    load_demo(member_count=60, today=date(2026, 9, 15))
    assert statuses(date(2026, 9, 15))["grace"] > 0
    assert statuses(date(2026, 10, 15))["grace"] == 0
