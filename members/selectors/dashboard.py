"""What the member's dashboard and plan pages show about a membership: its status line, what is owed.

All but annual_balance are pure: they read the terms and payments the page loaded already (member_terms,
member_payments) and take the day, so they are tested with tables. A term's balance comes from
selectors.terms.term_money (term_money_from here, on the rows loaded), as in the payment services.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from members.dues import TermStatus
from members.models import Member, Payment, PaymentPlan
from members.selectors.terms import member_terms, term_money, term_money_from


@dataclass
class Status:
    tone: str  # ok, pending, warn, none
    text: str
    detail: str = ""


def lapse_date(term, payments, grace: int) -> date:
    """The day a term in arrears lapsed: the grace period after the first original draft not covered by payments."""
    covered = term.paid
    for payment in sorted((p for p in payments if p.term_id == term.pk and p.installment_number), key=lambda p: p.due_on):
        covered -= payment.amount
        if covered < 0:
            return max(payment.due_on, term.start) + timedelta(days=grace + 1)
    return term.start + timedelta(days=grace + 1)


def status_line(current, payments, day: date, grace: int) -> Status:
    """The dashboard's one-line membership status of the current term (current_term, with .status)."""
    if current is None:
        return Status("none", "Not a member yet")
    end = f"{current.end:%B %-d, %Y}"
    if current.status == TermStatus.ACTIVE:
        return Status("ok", f"Active member through {end}")
    if current.status == TermStatus.PENDING:
        return Status("pending", "Payment pending", f"Your {current.year_label} membership starts once your dues are paid.")
    if current.status == TermStatus.GRACE:
        return Status("warn", f"In grace period: pay by {current.start + timedelta(days=grace):%B %-d, %Y}",
                      f"Your {current.year_label} dues are not paid yet.")
    if current.status == TermStatus.EXPIRED:
        grace_end = current.end + timedelta(days=grace)
        if day <= grace_end:
            return Status("warn", f"In grace period: renew by {grace_end:%B %-d, %Y}", f"Your membership ended on {end}.")
        return Status("warn", f"Lapsed on {grace_end + timedelta(days=1):%B %-d, %Y}",
                      f"Your membership ended on {end} and was not renewed.")
    if current.status == TermStatus.LAPSED:
        return Status("warn", f"Lapsed on {lapse_date(current, payments, grace):%B %-d, %Y}",
                      f"Your {current.year_label} dues are behind. Pay what is due below to be a member again.")
    return Status("none", "Not a member yet")


def drafts_stopped(term) -> bool:
    """No running plan pays this term any more (drafts stopped): what is left is one payment of the balance."""
    return term.plan is not None and term.plan.status != PaymentPlan.Status.ACTIVE


def payments_owed(payments, terms_by_pk) -> list:
    """Failed payments still owed: per term and due date, the latest failed attempt of a draft or
    payment of the term's schedule, when nothing paid or pending covers it and it fits in the term's
    balance (a year paid in full owes nothing, however many drafts failed). Not for a term whose drafts
    were stopped: balances_to_pay offers its one remaining payment instead."""
    groups: dict = {}
    for payment in payments:
        groups.setdefault((payment.term_id, payment.due_on), []).append(payment)
    owed = []
    for (term_id, _), group in groups.items():
        term = terms_by_pk.get(term_id)
        if term is None or term.status == TermStatus.CANCELLED or drafts_stopped(term):
            continue
        if not term_money_from(term, payments).fits(max(p.amount for p in group)):
            continue
        if not any(p.installment_number for p in group):
            continue
        if any(p.status in (Payment.Status.PENDING, Payment.Status.SUCCEEDED, Payment.Status.SCHEDULED) for p in group):
            continue
        failed = [p for p in group if p.status == Payment.Status.FAILED]
        if failed:
            owed.append(max(failed, key=lambda p: p.created_at))
    return sorted(owed, key=lambda p: (p.due_on or date.min, p.pk))


def balances_to_pay(terms, payments, owed, day: date) -> list:
    """Terms of this year or later with money left to pay and no other way offered to pay it (no draft to come,
    no payment pending, no failed payment in `owed`): each with `.remaining`, for one "Pay the remaining" button."""
    scheduled = {p.term_id for p in payments if p.status == Payment.Status.SCHEDULED}
    offered = {p.term_id for p in owed}
    due = []
    for term in terms:
        if term.status == TermStatus.CANCELLED or term.end < day or term.pk in scheduled or term.pk in offered:
            continue
        money = term_money_from(term, payments)
        if money.balance > 0 and money.pending == 0:
            term.remaining = money.balance
            due.append(term)
    return due


def annual_balance(member: Member, plan: PaymentPlan, day: date):
    """For an annual plan: this year's term on it and what is left to pay (none if a payment is pending)."""
    terms = member_terms(member, today=day)
    term = next((t for t in terms if t.plan_id == plan.pk and t.start <= day <= t.end
                 and t.status != TermStatus.CANCELLED), None)
    if term is None:
        return None, Decimal("0")
    money = term_money(term)
    return term, (Decimal("0") if money.pending else money.balance)
