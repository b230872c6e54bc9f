"""Reads of membership terms: the money paid on them, their status, the term covering a day."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from members import dues
from members.models import Member, MembershipTerm, Payment, RenewalPolicy

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=10, decimal_places=2))


def terms_with_money(queryset, *, required_by: date, paid_by: date | None = None):
    """Terms annotated with `paid` (paid payments less refunds, optionally only those paid by a day)
    and `required_now` (what the original schedule expected by `required_by`: today less the grace
    period, so one late draft does not lapse a member before they could fix it)."""
    paid_filter = Q(payments__status=Payment.Status.SUCCEEDED)
    if paid_by is not None:
        paid_filter &= Q(payments__paid_at__date__lte=paid_by)
    return queryset.annotate(
        paid=Coalesce(Sum("payments__amount", filter=paid_filter), ZERO),
        required_now=Coalesce(
            Sum("payments__amount", filter=Q(payments__installment_number__isnull=False, payments__due_on__lte=required_by)), ZERO
        ),
    )


def term_status(term: MembershipTerm, *, today: date, grace_days: int) -> dues.TermStatus:
    """Status of a term annotated by terms_with_money."""
    cancelled = term.cancelled_at is not None and timezone.localtime(term.cancelled_at).date() <= today
    return dues.term_status(
        start=term.start, end=term.end, cancelled=cancelled, renewal=term.continues_id is not None,
        amount_due=term.amount_due, paid=term.paid, required_now=term.required_now, today=today, grace_days=grace_days,
    )


def member_terms(member: Member, *, today: date, policy: RenewalPolicy | None = None):
    """The member's terms, newest first, with money and status; `policy` if the page read it already."""
    grace = (policy or RenewalPolicy.current()).grace_period_days
    terms = terms_with_money(member.terms.select_related("category", "plan"), required_by=today - timedelta(days=grace))
    terms = list(terms.order_by("-membership_year", "-created_at"))
    for term in terms:
        term.status = term_status(term, today=today, grace_days=grace)
    return terms


def member_terms_from_payments(member: Member, payments: list, *, today: date, policy: RenewalPolicy):
    """member_terms for a page that loaded all the member's payments already: the same terms, order, `paid`,
    `required_now` and status, the two sums of terms_with_money taken from `payments` instead of the query."""
    terms = list(member.terms.select_related("category", "plan").order_by("-membership_year", "-created_at"))
    return terms_money_from_payments(terms, payments, today=today, grace_days=policy.grace_period_days)


def terms_money_from_payments(terms: list, payments: list, *, today: date, grace_days: int) -> list:
    """The terms a page loaded (newest first), each given `paid`, `required_now` (terms_with_money's two sums,
    taken from `payments`, all the member's payments) and `status`, as member_terms gives them."""
    required_by = today - timedelta(days=grace_days)
    for term in terms:
        own = [p for p in payments if p.term_id == term.pk]
        term.paid = sum((p.amount for p in own if p.status == Payment.Status.SUCCEEDED), Decimal("0"))
        term.required_now = sum((p.amount for p in own if p.installment_number is not None
                                 and p.due_on is not None and p.due_on <= required_by), Decimal("0"))
        term.status = term_status(term, today=today, grace_days=grace_days)
    return terms


def current_term(terms: list, today: date):
    """The term that covers today, else the latest one; `terms` from member_terms."""
    live = [t for t in terms if t.status != dues.TermStatus.CANCELLED]
    covering = [t for t in live if t.start <= today <= t.end]
    return (covering or live or [None])[0]


def term_covering(member: Member, day: date):
    """The term that covered `day`, with its status on that day, or None: "was this person a member on X?".
    Payments count if made by the end of the grace period after `day` (a renewal paid in grace covers it)."""
    grace = RenewalPolicy.current().grace_period_days
    candidates = terms_with_money(
        member.terms.select_related("category").filter(period__contains=day), required_by=day - timedelta(days=grace),
        paid_by=day + timedelta(days=grace),
    ).order_by(F("cancelled_at").desc(nulls_first=True), "-created_at")  # a live term before a cancelled one
    for term in candidates:
        term.status = term_status(term, today=day, grace_days=grace)
        return term
    return None


def renewable_term(terms: list, *, today: date, renewal_window_days: int, grace_period_days: int):
    """The term that may be renewed today, or None: "may renew" for the member's pages and the staff's alike.

    From `terms` (member_terms, with .status): the current term (current_term) when it is paid up (active, or
    expired after being paid), no term that is not cancelled continues it yet, and today is in its renewal
    window or the grace period after it."""
    current = current_term(terms, today)
    if current is None or current.status not in (dues.TermStatus.ACTIVE, dues.TermStatus.EXPIRED):
        return None
    if any(t.continues_id == current.pk and t.status != dues.TermStatus.CANCELLED for t in terms):
        return None
    if not dues.is_renewal_window_open(current.end, renewal_window_days, grace_period_days, today):
        return None
    return current


def member_renewable_term(member: Member, *, today: date, terms: list | None = None,
                          policy: RenewalPolicy | None = None):
    """renewable_term for a member under the renewal policy in force; `terms` if member_terms was read already,
    `policy` if the page read it already."""
    policy = policy or RenewalPolicy.current()
    terms = member_terms(member, today=today, policy=policy) if terms is None else terms
    return renewable_term(terms, today=today, renewal_window_days=policy.renewal_window_days,
                          grace_period_days=policy.grace_period_days)


def card_valid_through(terms: list, *, card_term_pk, today: date) -> tuple[bool, date | None]:
    """(active today, valid through) for the card of one term, from the member's terms (member_terms).

    The member's standing today counts, not only the card's year: a renewed member scanning last year's
    card is active, and a renewal already paid for carries the date on to the end of the next year. A
    paid-up card whose year is over shows when it ran out; a lapsed or cancelled one shows no date."""
    active = next((t for t in terms if t.status == dues.TermStatus.ACTIVE and t.start <= today <= t.end), None)
    if active is not None:
        valid_through = active.end
        for term in sorted(terms, key=lambda t: t.start):
            if term.start == valid_through + timedelta(days=1) and term.status == dues.TermStatus.ACTIVE:
                valid_through = term.end
        return True, valid_through
    card = next(t for t in terms if t.pk == card_term_pk)
    return False, card.end if card.status == dues.TermStatus.EXPIRED else None


@dataclass(frozen=True)
class CardTerm:
    """What card_valid_through needs of one term: its dates and its status today."""

    pk: int
    start: date
    end: date
    status: dues.TermStatus


CARD_SQL = """
    SELECT m.preferred_name, m.legal_first_name, m.legal_last_name, grace.days,
           t.id, t.verification_token = %(token)s, lower(t.period), upper(t.period) - 1, t.cancelled_at,
           t.continues_id IS NOT NULL, t.amount_due,
           (SELECT COALESCE(SUM(p.amount), 0) FROM members_payment p
             WHERE p.term_id = t.id AND p.status = %(succeeded)s),
           (SELECT COALESCE(SUM(p.amount), 0) FROM members_payment p
             WHERE p.term_id = t.id AND p.installment_number IS NOT NULL AND p.due_on <= %(today)s::date - grace.days)
      FROM members_membershipterm t
      JOIN members_member m ON m.id = t.member_id
     CROSS JOIN (SELECT COALESCE((SELECT grace_period_days FROM members_renewalpolicy WHERE id = 1),
                                 %(default_grace)s) AS days) grace
     WHERE t.member_id = (SELECT member_id FROM members_membershipterm WHERE verification_token = %(token)s)
"""  # scalar subqueries rather than joins and GROUP BY: PostgreSQL plans this in half the time


def card_verification(token, *, today: date) -> tuple[str, bool, date | None] | None:
    """(name, active today, valid through) for the card whose verification token is `token`, or None if no
    term has it. One query reads the member's terms with terms_with_money's two sums and the renewal policy's
    grace period (RenewalPolicy.current's row, or its default when there is none yet); then the same rules as
    member_terms (dues.term_status) and card_valid_through."""
    params = {"succeeded": Payment.Status.SUCCEEDED, "today": today, "token": token,
              "default_grace": RenewalPolicy._meta.get_field("grace_period_days").default}
    with connection.cursor() as cursor:
        cursor.execute(CARD_SQL, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    preferred, first, last, grace = rows[0][:4]
    terms, card_pk = [], None
    for (pk, is_card, start, end, cancelled_at, renewal, amount_due, paid, required_now) in (row[4:] for row in rows):
        card_pk = pk if is_card else card_pk
        cancelled = cancelled_at is not None and timezone.localtime(cancelled_at).date() <= today
        status = dues.term_status(start=start, end=end, cancelled=cancelled, renewal=renewal, amount_due=amount_due,
                                  paid=paid, required_now=required_now, today=today, grace_days=grace)
        terms.append(CardTerm(pk=pk, start=start, end=end, status=status))
    name = f"{preferred or first} {last}".strip()  # as Member.display_name
    return (name, *card_valid_through(terms, card_term_pk=card_pk, today=today))


@dataclass(frozen=True)
class TermMoney:
    """A term's money in one place: dues, paid (succeeded payments, refunds and adjustments), the balance still
    owed (dues.term_balance) and what is pending (sent to a gateway or waiting at checkout, not paid yet)."""

    amount_due: Decimal
    paid: Decimal
    pending: Decimal
    balance: Decimal

    def fits(self, amount: Decimal) -> bool:
        """A new payment of `amount` on top of what is pending stays within the balance."""
        return dues.payment_fits(amount=amount, balance=self.balance, in_flight=self.pending)


def term_money(term: MembershipTerm, *, excluding: Payment | None = None) -> TermMoney:
    """The one reading of a term's balance (the dashboard, checkout, retries and staff pages all use it).
    `excluding`: a pending payment not to count as pending (the one being sent to checkout)."""
    pending_filter = Q(status=Payment.Status.PENDING)
    if excluding is not None:
        pending_filter &= ~Q(pk=excluding.pk)
    sums = Payment.objects.filter(term_id=term.pk).aggregate(
        paid=Coalesce(Sum("amount", filter=Q(status=Payment.Status.SUCCEEDED)), ZERO),
        pending=Coalesce(Sum("amount", filter=pending_filter), ZERO),
    )
    return TermMoney(amount_due=term.amount_due, paid=sums["paid"], pending=sums["pending"],
                     balance=dues.term_balance(amount_due=term.amount_due, paid=sums["paid"]))


def term_money_from(term, payments) -> TermMoney:
    """term_money from rows a page loaded already (`term` annotated with paid, `payments` the member's): no query."""
    pending = sum((p.amount for p in payments if p.term_id == term.pk and p.status == Payment.Status.PENDING),
                  Decimal("0"))
    return TermMoney(amount_due=term.amount_due, paid=term.paid, pending=pending,
                     balance=dues.term_balance(amount_due=term.amount_due, paid=term.paid))
