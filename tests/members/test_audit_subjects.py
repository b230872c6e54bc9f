"""The audit page says which member each staff payment was about, and links the record for those who may open it;
the IP address is kept for staff and plan actions too; changes read as sentences."""

from decimal import Decimal

import pytest

from mae_portal.audit import audit_record, audit_subjects
from mae_portal.models import AuditLog
from members import clock
from members.models import PaymentPlan
from tests.members.test_staff_pages import DAY, S, join, token_of


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: DAY)


@pytest.fixture
def esp(world):
    from members.models import MembershipCategory

    return MembershipCategory.objects.get(code="esp-full-time")


@pytest.fixture
def unpaid(member, esp):
    return join(member.member, esp, key="unpaid").term


def test_staff_payment_names_the_member_with_a_link_and_keeps_the_ip(client, staff, admin_user, unpaid):
    client.force_login(staff)
    url = f"{S}/members/{unpaid.member.member_number}/terms/{unpaid.pk}/payment/"
    data = {"method": "check", "amount": "306.17", "check_number": "1042", "note": "", "token": token_of(client.get(url))}
    assert client.post(url, {**data, "confirm": "1"}, REMOTE_ADDR="10.20.30.40").status_code == 302
    entry = AuditLog.objects.get(action="payment.recorded")
    assert entry.ip_address == "10.20.30.40"

    client.force_login(admin_user)
    html = client.get("/audit/?action=payment.recorded").content.decode()
    record = f'href="{S}/members/{unpaid.member.member_number}/"'
    assert record in html and str(unpaid.member) in html
    assert "10.20.30.40" in html


@pytest.mark.parametrize(("persona", "linked"), [("admin_user", True), ("staff", True), ("director", False),
                                               ("member", False)])
def test_subject_link_only_for_those_who_may_open_it(request, unpaid, persona, linked):
    audit_record(actor=None, action="term.cancelled", obj=unpaid, changes={"reason": "x"})
    user = request.getfixturevalue(persona)
    [entry] = audit_subjects(AuditLog.objects.filter(action="term.cancelled"), user=user)
    assert entry.subject_label == str(unpaid.member)
    assert bool(entry.subject_url) is linked


def test_staff_term_cancel_keeps_the_ip(client, staff, unpaid):
    client.force_login(staff)
    url = f"{S}/members/{unpaid.member.member_number}/terms/{unpaid.pk}/cancel/"
    response = client.post(url, {"reason": "Left the district", "confirm": "1"}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302
    assert AuditLog.objects.get(action="term.cancelled").ip_address == "10.9.8.7"


def test_member_plan_action_keeps_the_ip(client, member, esp):
    join(member.member, esp, key="monthly", plan="monthly")
    plan = PaymentPlan.objects.get(member=member.member, status="active")
    PaymentPlan.objects.filter(pk=plan.pk).update(auto_renew=True)
    client.force_login(member)
    response = client.post("/members/plan/automatic-renewal/cancel/", {}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert AuditLog.objects.get(action="plan.auto_renew_cancelled").ip_address == "10.1.1.1"


def test_changes_read_as_sentences_on_the_audit_page_and_the_record(client, admin_user, member):
    record = member.member
    audit_record(actor=member, action="member.profile_updated", obj=record,
                 changes={"state": ["ZZ", "MS"], "zip_code": ["", "38801"]})
    client.force_login(admin_user)
    for url in ("/audit/", f"{S}/members/{record.member_number}/"):
        html = client.get(url).content.decode()
        assert "State: ZZ → MS" in html and "Zip code: (blank) → 38801" in html, url
        assert "[&#x27;ZZ&#x27;" not in html and "['ZZ'" not in html


def test_payment_service_takes_the_ip(staff, unpaid):
    from members.services.payments import payment_record

    payment_record(term=unpaid, amount=Decimal("5.00"), method="cash", actor=staff, idempotency_key="k", ip="10.0.0.1")
    assert AuditLog.objects.get(action="payment.recorded").ip_address == "10.0.0.1"
