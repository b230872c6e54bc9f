"""The nightly membership run: automatic renewals and installment drafts through the sandbox gateway
(the ledger checked end to end), renewal notices (each once per term and rule, over factory terms and
over the demo data), lapse notices, the management command."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from mae_portal import outbox
from mae_portal.documents import documents_of
from mae_portal.models import EmailDelivery, StoredDocument
from members import dues
from members.documents import draft_failed_notify
from members.models import (
    GatewayEvent,
    Member,
    MembershipCategory,
    MembershipTerm,
    Payment,
    RenewalNotice,
    RenewalNoticeRule,
    RenewalPolicy,
)
from members.selectors.terms import member_terms
from members.services import nightly
from members.services.join import membership_join
from members.services.nightly import (
    NOTICE_CATCH_UP_DAYS,
    MembershipJobsFailed,
    auto_renewals_run,
    installment_drafts_run,
    lapse_notices_run,
    membership_jobs_run,
    renewal_notices_run,
)
from members.services.plans import plan_cancel_auto_renew
from members.services.terms import term_cancel
from members.tasks import run_membership_jobs
from tests.factories import MemberFactory
from tests.members.test_documents import join, pay_by_bank, pay_by_card, signature

FAILING_ACCOUNT = "000222222227"  # the sandbox bank returns every draft for insufficient funds


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(job, day): a job with its on-commit work (documents, emails, their delivery) done at once."""

    def call(job, day):
        with django_capture_on_commit_callbacks(execute=True):
            return job(today=day)

    return call


@pytest.fixture
def installment_member(member, django_capture_on_commit_callbacks):
    """The member persona on monthly drafts (the 15th) since October 15, 2026, first draft paid at checkout."""
    with django_capture_on_commit_callbacks(execute=True):
        first = join(member.member, plan="monthly", draft_day=15)
        assert pay_by_bank(first) == "succeeded"
    return MembershipTerm.objects.select_related("plan", "member").get(pk=first.term_id)


def ledger(term):
    return list(term.payments.order_by("due_on", "pk").values_list("due_on", "amount", "status"))


# --- Automatic renewals and drafts ---------------------------------------------------------------------------------


def test_auto_renewal_and_drafts_end_to_end(installment_member, run):
    term = installment_member
    plan = term.plan
    assert plan.gateway_payment_method == "sbx_acct_000123456789"
    assert term.payments.filter(status="scheduled").count() == 9  # November 15 .. July 15

    assert run(installment_drafts_run, date(2027, 1, 15)) == {"succeeded": 3, "failed": 0, "submitted": 0, "cancelled": 0,
                                                                  "errors": 0}
    events = GatewayEvent.objects.count()
    assert run(installment_drafts_run, date(2027, 1, 15))["succeeded"] == 0  # the same night again
    assert run(installment_drafts_run, date(2027, 1, 16))["succeeded"] == 0
    assert GatewayEvent.objects.count() == events
    assert StoredDocument.objects.filter(kind="receipt").count() == 4

    assert run(installment_drafts_run, date(2027, 7, 16))["succeeded"] == 6
    assert {status for _, _, status in ledger(term)} == {"succeeded"}
    [current] = member_terms(term.member, today=date(2027, 7, 16))
    assert current.paid == current.amount_due == Decimal("306.17") and current.status == dues.TermStatus.ACTIVE

    # The renewal window opens 45 days before August 31.
    assert run(auto_renewals_run, date(2027, 7, 16))["renewed"] == 0
    assert run(auto_renewals_run, date(2027, 7, 18))["renewed"] == 1
    assert run(auto_renewals_run, date(2027, 7, 19))["renewed"] == 0
    renewal = MembershipTerm.objects.get(continues=term)
    assert renewal.membership_year == 2027 and renewal.plan_id == plan.pk  # same plan, same signed authorization
    assert (renewal.start, renewal.end) == (date(2027, 9, 1), date(2028, 8, 31))
    assert renewal.amount_due == Decimal("334.00")  # a renewal pays the full year
    schedule = ledger(renewal)
    assert schedule[0] == (date(2027, 9, 1), schedule[0][1], "scheduled")  # nobody at a checkout: drafted on the day
    assert {status for _, _, status in schedule} == {"scheduled"}
    assert sum(amount for _, amount, _ in schedule) == renewal.amount_due
    assert StoredDocument.objects.filter(kind="authorization").count() == 1

    assert run(installment_drafts_run, date(2027, 8, 31))["succeeded"] == 0
    assert run(installment_drafts_run, date(2027, 9, 1))["succeeded"] == 1
    assert run(installment_drafts_run, date(2027, 9, 1))["succeeded"] == 0
    first = renewal.payments.get(installment_number=1)
    assert first.status == "succeeded" and first.gateway_reference.startswith("sbx_")
    [new, old] = member_terms(term.member, today=date(2027, 9, 2))
    assert new.pk == renewal.pk and new.status == dues.TermStatus.ACTIVE and new.paid == first.amount
    assert old.status == dues.TermStatus.EXPIRED

    # The renewal's first payment welcomed the member again (card and letter for the new year), once.
    welcomes = EmailDelivery.objects.filter(template_name="membership-welcome").order_by("pk")
    assert [w.idempotency_key for w in welcomes] == [f"welcome:{term.pk}", f"welcome:{renewal.pk}"]
    assert "Thank you for renewing" in welcomes[1].subject
    assert documents_of(renewal, kind="card").filter(status="ready").exists()
    assert StoredDocument.objects.filter(kind="receipt").count() == 11


def test_failing_account_marks_the_draft_failed_and_emails_once(installment_member, run, django_capture_on_commit_callbacks):
    term = installment_member
    plan = term.plan
    plan.gateway_payment_method = f"sbx_acct_{FAILING_ACCOUNT}"  # the member's account ran dry
    plan.save(update_fields=["gateway_payment_method"])
    mail.outbox.clear()

    assert run(installment_drafts_run, date(2026, 11, 15))["failed"] == 1
    draft = term.payments.get(due_on=date(2026, 11, 15))
    assert draft.status == "failed" and "insufficient funds" in draft.failure_message
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["member@example.org"] and f"${draft.amount}" in email.subject
    assert "insufficient funds" in email.body and "November 15, 2026" in email.body and "/dashboard/" in email.body

    for day in (date(2026, 11, 15), date(2026, 11, 16)):
        assert run(installment_drafts_run, day) == {"succeeded": 0, "failed": 0, "submitted": 0, "cancelled": 0,
                                                               "errors": 0}
    with django_capture_on_commit_callbacks(execute=True):
        draft_failed_notify(payment_pk=draft.pk)  # told again
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.filter(idempotency_key=f"draft-failed:{draft.pk}").count() == 1
    assert GatewayEvent.objects.filter(payload__payment=draft.idempotency_key).count() == 1


class DelayedGateway:
    """A gateway like Stripe: the draft is submitted now, its outcome arrives days later by webhook."""

    name = "stripe"

    def __init__(self, error=None):
        self.charged = []
        self.error = error

    def charge_saved_method(self, *, payment, plan):
        self.charged.append(payment.pk)
        if self.error:
            raise self.error
        return None


def test_a_submitted_draft_waits_for_its_webhook_and_is_not_charged_again(installment_member, run, monkeypatch):
    gateway = DelayedGateway()
    monkeypatch.setattr(nightly, "get_gateway", lambda name=None: gateway)
    assert run(installment_drafts_run, date(2026, 11, 15))["submitted"] == 1
    assert run(installment_drafts_run, date(2026, 11, 18))["submitted"] == 0
    draft = installment_member.payments.get(due_on=date(2026, 11, 15))
    assert gateway.charged == [draft.pk] and draft.status == "pending"


def test_a_draft_the_gateway_refuses_fails_and_is_not_retried(installment_member, run, monkeypatch):
    gateway = DelayedGateway(error=ConnectionError("gateway down"))
    monkeypatch.setattr(nightly, "get_gateway", lambda name=None: gateway)
    assert run(installment_drafts_run, date(2026, 11, 15))["failed"] == 1
    assert run(installment_drafts_run, date(2026, 11, 16))["failed"] == 0
    draft = installment_member.payments.get(due_on=date(2026, 11, 15))
    assert draft.status == "failed" and "could not be sent" in draft.failure_message and len(gateway.charged) == 1


def test_no_automatic_renewal_when_off_behind_or_annual(member, world, run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        annual = join(member.member, key="annual")
        pay_by_card(annual)
        behind = join(MemberFactory(employer_district=world.district_a, local=world.local_a), plan="monthly",
                      draft_day=15, key="behind")
        pay_by_bank(behind)  # and no draft after: behind on the year by July
        off = join(MemberFactory(employer_district=world.district_a, local=world.local_a), plan="monthly",
                   draft_day=15, key="off")
        pay_by_bank(off)
    off.term.payments.filter(status="scheduled").update(status="succeeded")
    plan_cancel_auto_renew(plan=off.term.plan, actor=None)
    assert run(auto_renewals_run, date(2027, 7, 18)) == {"renewed": 0, "not_renewed": 1, "errors": 0}
    assert MembershipTerm.objects.filter(continues__isnull=False).count() == 0


# --- Renewal notices -------------------------------------------------------------------------------------------------


def paid_member(world, key, *, email=None, plan="annual", category="esp-full-time", callbacks):
    record = MemberFactory(employer_district=world.district_a, local=world.local_a,
                           **({"email": email} if email is not None else {}))
    with callbacks(execute=False):
        payment = join(record, plan=plan, draft_day=15, key=key, category=category)
        (pay_by_bank if plan != "annual" else pay_by_card)(payment)
    return payment.term


def sent_offsets(term):
    return sorted(RenewalNotice.objects.filter(term=term).values_list("rule__offset_days", flat=True))


@pytest.mark.parametrize(("day", "expected"), [
    (date(2027, 7, 31), []),
    (date(2027, 8, 1), [-30]),  # 30 days before August 31
    (date(2027, 8, 8), [-30]),  # a week late still goes
    (date(2027, 8, 9), []),  # more than a week late: dropped
    (date(2027, 8, 28), [-7]),
    (date(2027, 9, 7), [0]),
    (date(2027, 9, 8), []),
    (date(2027, 9, 14), [14]),
    (date(2027, 9, 21), [14]),
    (date(2027, 9, 22), []),
])
def test_which_notice_a_single_run_sends(world, day, expected, django_capture_on_commit_callbacks):
    term = paid_member(world, "one", callbacks=django_capture_on_commit_callbacks)
    assert renewal_notices_run(today=day)["sent"] == len(expected)
    assert sent_offsets(term) == expected


def test_renewal_notices_each_once_with_the_right_variant(world, django_assert_max_num_queries,
                                                          django_capture_on_commit_callbacks):
    callbacks = django_capture_on_commit_callbacks
    annual = paid_member(world, "annual", callbacks=callbacks)
    renews_early = paid_member(world, "early", callbacks=callbacks)
    auto = paid_member(world, "auto", plan="monthly", callbacks=callbacks)
    auto.payments.filter(status="scheduled").update(status="succeeded", paid_at=auto.payments.get(installment_number=1).paid_at)
    behind = paid_member(world, "behind", plan="monthly", callbacks=callbacks)  # drafts stopped after the first: lapsed
    never_paid = join(MemberFactory(employer_district=world.district_a, local=world.local_a), key="unpaid").term
    cancelled = paid_member(world, "cancelled", callbacks=callbacks)
    term_cancel(term=cancelled, reason="Moved out of state", actor=None)
    no_address = paid_member(world, "no-address", email="", callbacks=callbacks)

    days = [date(2027, 7, 18), date(2027, 8, 1), date(2027, 8, 24), date(2027, 8, 31), date(2027, 9, 14)]
    sent = {}
    for day in days:
        if day == date(2027, 8, 24):  # renewed and paid on August 10: no more reminders
            with callbacks(execute=False):
                pay_by_card(join(renews_early.member, today=date(2027, 8, 10), key="early-renewal", renewal_of=renews_early))
        sent[day] = renewal_notices_run(today=day)["sent"]
        with django_assert_max_num_queries(8):  # nothing left to send: a few queries, however many terms
            assert renewal_notices_run(today=day)["sent"] == 0
    assert sent == {date(2027, 7, 18): 0, date(2027, 8, 1): 4, date(2027, 8, 24): 3, date(2027, 8, 31): 3,
                    date(2027, 9, 14): 3}
    assert sent_offsets(annual) == [-30, -7, 0, 14]
    assert sent_offsets(auto) == sent_offsets(behind) == [-30, -7, 0, 14]
    assert sent_offsets(renews_early) == [-30]
    assert sent_offsets(never_paid) == sent_offsets(cancelled) == sent_offsets(no_address) == []

    deliveries = EmailDelivery.objects.filter(template_name__startswith="renewal-notice")
    assert deliveries.count() == RenewalNotice.objects.count() == 13
    assert RenewalNotice.objects.filter(email__isnull=True).count() == 0
    before = RenewalNotice.objects.select_related("email").get(term=annual, rule__offset_days=-7)
    assert before.sent_on == date(2027, 8, 24) and before.email.template_name == "renewal-notice-before"
    assert "Renew now for 2027-28" in before.email.body_text and "$334.00" in before.email.body_text
    auto_before = RenewalNotice.objects.select_related("email").get(term=auto, rule__offset_days=-7).email
    assert "renews automatically" in auto_before.subject and "nothing you need to do" in auto_before.body_text
    # Behind on the year's drafts, so not renewed automatically: asked to renew like anyone else.
    behind_before = RenewalNotice.objects.select_related("email").get(term=behind, rule__offset_days=-7).email
    assert "Renew now for 2027-28" in behind_before.body_text and "automatically" not in behind_before.subject
    after = RenewalNotice.objects.select_related("email").get(term=annual, rule__offset_days=14).email
    assert after.template_name == "renewal-notice-after" and "September 30, 2027" in after.body_text  # + 30 days grace


def test_renewal_notice_run_twice_sends_nothing_new(world, django_capture_on_commit_callbacks, monkeypatch):
    callbacks = django_capture_on_commit_callbacks
    terms = [paid_member(world, f"twice-{n}", callbacks=callbacks) for n in range(5)]
    monkeypatch.setattr(nightly, "NOTICE_BATCH", 2)  # several batches, each its own transaction
    mail.outbox.clear()
    day = date(2027, 8, 1)
    with callbacks(execute=True) as first:
        assert renewal_notices_run(today=day) == {"sent": 5, "no_address": 0, "before": 5}
    assert len(first) == 3  # one hand-off per batch, after its commit
    assert sorted(m.to[0] for m in mail.outbox) == sorted(t.member.email for t in terms)
    for term in terms:  # each message rendered for its own member
        message = next(m for m in mail.outbox if m.to == [term.member.email])
        assert f"Hello {term.member.display_name}," in message.body and "Renew now for 2027-28" in message.body
    deliveries = set(EmailDelivery.objects.filter(template_name="renewal-notice-before").values_list("pk", flat=True))
    assert set(RenewalNotice.objects.values_list("email_id", flat=True)) == deliveries and len(deliveries) == 5

    with callbacks(execute=True) as second:
        assert renewal_notices_run(today=day)["sent"] == 0
        assert renewal_notices_run(today=day + timedelta(days=1))["sent"] == 0  # still in the catch-up week
    assert second == [] and len(mail.outbox) == 5
    # A concurrent run wrote one email but not yet its notice row: this run records the notice, links that
    # email, and neither writes nor hands over another.
    RenewalNotice.objects.filter(term=terms[0]).delete()
    with callbacks(execute=True) as third:
        assert renewal_notices_run(today=day)["sent"] == 0
    assert third == [] and len(mail.outbox) == 5
    assert EmailDelivery.objects.filter(template_name="renewal-notice-before").count() == 5
    assert RenewalNotice.objects.get(term=terms[0]).email_id in deliveries


def test_renewal_notice_queries_do_not_grow_with_the_notices(world, django_assert_max_num_queries,
                                                              django_capture_on_commit_callbacks, monkeypatch):
    """The run reads only some fields of each term, member, plan and category: a notice that showed one not
    read would cost a query per message."""
    callbacks = django_capture_on_commit_callbacks
    for n in range(6):
        paid_member(world, f"count-{n}", plan="monthly" if n % 2 else "annual", callbacks=callbacks)
    handed = []
    monkeypatch.setattr(outbox, "publish", lambda task, *args: handed.append(args[0]) or True)
    with callbacks(execute=True), django_assert_max_num_queries(16):
        assert renewal_notices_run(today=date(2027, 8, 1))["sent"] == 6
    assert len(handed) == 1 and len(handed[0]) == 6  # one task for the batch's six emails
    bodies = EmailDelivery.objects.filter(template_name="renewal-notice-before").values_list("body_text", flat=True)
    assert len(bodies) == 6 and all(body.startswith("Hello ") and "2027-28" in body for body in bodies)


def test_a_category_rule_replaces_the_general_one_with_the_same_offset(world, django_capture_on_commit_callbacks):
    esp = MembershipCategory.objects.get(code="esp-full-time")
    own = RenewalNoticeRule.objects.create(category=esp, offset_days=-7)
    esp_term = paid_member(world, "esp", callbacks=django_capture_on_commit_callbacks)
    teacher_term = paid_member(world, "teacher", category="active-professional", callbacks=django_capture_on_commit_callbacks)
    assert renewal_notices_run(today=date(2027, 8, 24))["sent"] == 2
    assert RenewalNotice.objects.get(term=esp_term).rule == own
    assert RenewalNotice.objects.get(term=teacher_term).rule.category is None
    RenewalNoticeRule.objects.filter(offset_days=0).update(is_active=False)
    assert renewal_notices_run(today=date(2027, 8, 31))["sent"] == 0  # a rule turned off sends nothing


def test_renewal_notices_over_the_demo_data_each_once(db, settings):
    settings.DEBUG = True  # load_demo refuses otherwise; pytest-django turns DEBUG off
    call_command("load_demo", members=60, stdout=io.StringIO())
    assert MembershipTerm.objects.exists(), "load_demo makes membership terms"
    # The demo's year is the one today is in; around its end (2027-07-18, 08-24, 08-31, 09-14 for 2026-27).
    end = dues.membership_year_bounds(dues.membership_year_for(timezone.localdate()))[1]
    assert_each_due_notice_sent_once([end - timedelta(days=44), end - timedelta(days=7), end, end + timedelta(days=14)])


def test_the_nightly_run_over_the_demo_data(db, settings):
    settings.DEBUG = True
    call_command("load_demo", members=60, stdout=io.StringIO())
    end = dues.membership_year_bounds(dues.membership_year_for(timezone.localdate()))[1]
    results = {day: membership_jobs_run(today=day)
               for day in [end - timedelta(days=44), end - timedelta(days=7), end + timedelta(days=1)]}
    assert all(counts.get("errors", 0) == 0 for by_job in results.values() for counts in by_job.values()), results
    renewed = sum(r["auto_renewals"]["renewed"] for r in results.values())
    assert renewed == MembershipTerm.objects.filter(payments__idempotency_key__startswith="auto-renew:").distinct().count()
    assert renewed > 0 and sum(r["drafts"]["succeeded"] for r in results.values()) > 0
    # September 1: every automatic renewal's first draft was taken.
    assert not Payment.objects.filter(idempotency_key__startswith="auto-renew:", idempotency_key__endswith=":first",
                                      status="scheduled").exists()
    again = membership_jobs_run(today=end + timedelta(days=1))
    assert again["auto_renewals"]["renewed"] == again["drafts"]["succeeded"] == again["renewal_notices"]["sent"] == 0


def test_renewal_notices_over_demo_members_joined_here_each_once(db, settings, django_capture_on_commit_callbacks):
    """The same over demo members without terms, given terms here: most paid by card, some on drafts,
    some never paid, one renewed early."""
    settings.DEBUG = True
    call_command("load_demo", members=60, stdout=io.StringIO())
    members = list(Member.objects.filter(terms__isnull=True).order_by("pk")[:40])
    category = MembershipCategory.objects.get(code="esp-full-time")
    with django_capture_on_commit_callbacks(execute=False):
        for i, record in enumerate(members):
            plan = "monthly" if i % 4 == 1 else "annual"
            payment = membership_join(
                member=record, category=category, plan_kind=plan, draft_day=15, actor=None,
                authorization=signature() if plan != "annual" else None,
                today=date(2026, 9, 1) + timedelta(days=i), idempotency_key=f"demo-{i}")
            if i % 7 == 3:
                continue  # never paid
            (pay_by_bank if plan != "annual" else pay_by_card)(payment)
            if i % 10 == 0:
                pay_by_card(membership_join(
                    member=record, category=category, plan_kind="annual", authorization=None, actor=None,
                    today=date(2027, 8, 20), idempotency_key=f"demo-renewal-{i}", renewal_of=payment.term))
    assert_each_due_notice_sent_once([date(2027, 7, 18), date(2027, 8, 24), date(2027, 8, 31), date(2027, 9, 14)])


def assert_each_due_notice_sent_once(days):
    """Run the renewal notices on each day, twice: the second run sends nothing, and in the end every due
    notice went out once: to each term paid for, not renewed, with an address, whose notice day fell in
    the week before one of the runs."""
    for day in days:
        counts = renewal_notices_run(today=day)
        new = RenewalNotice.objects.filter(sent_on=day).select_related("term", "rule")
        assert counts["sent"] == new.count()
        for notice in new:
            notice_day = dues.notice_date(notice.term.end, notice.rule.offset_days)
            assert day - timedelta(days=NOTICE_CATCH_UP_DAYS) <= notice_day <= day
        assert renewal_notices_run(today=day)["sent"] == 0

    rules = list(RenewalNoticeRule.objects.filter(is_active=True))
    expected = set()
    for term in MembershipTerm.objects.filter(cancelled_at__isnull=True).select_related("member__user"):
        paid = term.payments.filter(status=Payment.Status.SUCCEEDED).exists()
        renewed = MembershipTerm.objects.filter(member=term.member, membership_year__gt=term.membership_year,
                                                cancelled_at__isnull=True, payments__status="succeeded").exists()
        if not paid or renewed or not (term.member.email or term.member.user_id):
            continue
        for rule in rules:
            if rule.category_id not in (None, term.category_id):
                continue
            if rule.category_id is None and any(r.category_id == term.category_id and r.offset_days == rule.offset_days
                                                for r in rules):
                continue
            when = dues.notice_date(term.end, rule.offset_days)
            if any(day - timedelta(days=NOTICE_CATCH_UP_DAYS) <= when <= day for day in days):
                expected.add((term.pk, rule.pk))
    assert expected, "the demo data should have members due a renewal notice"
    assert set(RenewalNotice.objects.values_list("term_id", "rule_id")) == expected
    assert EmailDelivery.objects.filter(template_name__startswith="renewal-notice").count() == len(expected)




# --- Lapse notices ----------------------------------------------------------------------------------------------------


def test_lapse_notice_once_when_drafts_stop(installment_member, run):
    # November 15's draft never paid: in good standing for the grace period after it, lapsed after.
    assert run(lapse_notices_run, date(2026, 12, 14))["sent"] == 0
    assert run(lapse_notices_run, date(2026, 12, 16))["sent"] == 1
    assert run(lapse_notices_run, date(2026, 12, 16))["sent"] == 0
    assert run(lapse_notices_run, date(2027, 1, 20))["sent"] == 0
    delivery = EmailDelivery.objects.get(idempotency_key=f"lapsed:{installment_member.pk}")
    assert delivery.template_name == "membership-lapsed" and "2026-27 has lapsed" in delivery.subject
    assert "dues due so far this year" in delivery.body_text


def test_lapse_notice_for_an_unpaid_renewal_but_not_for_an_abandoned_join(member, world, run,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = join(member.member)
        pay_by_card(first)
        join(member.member, today=date(2027, 8, 1), key="renewal", renewal_of=first.term)  # never paid
        join(MemberFactory(employer_district=world.district_a, local=world.local_a), key="abandoned")
    assert run(lapse_notices_run, date(2026, 12, 1))["sent"] == 0  # the abandoned join is not a lapse
    assert run(lapse_notices_run, date(2027, 10, 1))["sent"] == 0  # last day of grace
    assert run(lapse_notices_run, date(2027, 10, 2))["sent"] == 1
    assert run(lapse_notices_run, date(2027, 10, 3))["sent"] == 0
    [email] = [m for m in mail.outbox if "lapsed" in m.subject]
    assert email.to == ["member@example.org"] and "2027-28" in email.subject
    assert "did not receive your dues" in email.body


# --- The nightly run -------------------------------------------------------------------------------------------------


def test_jobs_run_in_order_and_the_command_prints_counts(installment_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        results = membership_jobs_run(today=date(2026, 11, 15))
    assert list(results) == ["auto_renewals", "reconcile_drafts", "drafts", "renewal_notices", "lapse_notices",
                             "statuses"]
    assert results["drafts"]["succeeded"] == 1
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_membership_jobs", "--today", "2026-11-15", stdout=out)
    assert "Membership jobs for 2026-11-15:" in out.getvalue()
    assert "  drafts: cancelled 0, errors 0, failed 0, submitted 0, succeeded 0" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("run_membership_jobs", "--today", "15/11/2026")
    with django_capture_on_commit_callbacks(execute=True):
        run_membership_jobs.delay("2026-12-15")  # the beat task, eager here
    assert installment_member.payments.get(due_on=date(2026, 12, 15)).status == "succeeded"


def test_a_failing_job_does_not_stop_the_others_and_is_raised(installment_member, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    def broken(*, today):
        raise RuntimeError("boom")

    monkeypatch.setattr(nightly, "JOBS", [("auto_renewals", broken), *nightly.JOBS[1:]])
    with pytest.raises(MembershipJobsFailed, match="auto_renewals"), \
            django_capture_on_commit_callbacks(execute=True):
        membership_jobs_run(today=date(2026, 11, 15))
    assert installment_member.payments.get(due_on=date(2026, 11, 15)).status == "succeeded"
    assert RenewalPolicy.current().grace_period_days == 30
