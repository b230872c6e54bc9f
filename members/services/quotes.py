"""What a membership costs: dues rates, the suggested category, quotes and installment schedules."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from members import dues
from members.models import (
    DuesRate,
    Member,
    MembershipCategory,
    MembershipTerm,
    PaymentPlan,
)
from members.services.errors import MembershipError


@dataclass(frozen=True)
class Quote:
    category: MembershipCategory
    membership_year: int
    start: date
    end: date
    shares: dues.Shares
    full_year: dues.Shares
    renewal: bool

    @property
    def amount(self) -> Decimal:
        return self.shares.total

    @property
    def prorated(self) -> bool:
        return self.shares != self.full_year


def rate_on(category: MembershipCategory, day: date) -> DuesRate:
    rate = category.rates.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rate is None:
        raise MembershipError(f"No dues rate is set for {category} on {day:%B %-d, %Y}. Please call membership staff.")
    return rate


def suggest_category(member: Member) -> MembershipCategory | None:
    """The category a member's profile points to: ESP full- or part-time, else active professional."""
    categories = MembershipCategory.objects.filter(is_active=True, is_retired=False, is_student=False)
    kind = member.career_field.kind if member.career_field else ""
    for category in categories:
        if category.suggested_for_kind == kind and category.suggested_for_basis in ("", member.employment_basis):
            return category
    return categories.filter(suggested_for_kind="professional").first() or categories.first()


def membership_quote(*, category: MembershipCategory, today: date, renewal_of: MembershipTerm | None = None) -> Quote:
    """Dues for joining today (prorated by the category's rule) or for the year after renewal_of."""
    if renewal_of is not None:
        year = renewal_of.membership_year + 1
        start, end = dues.membership_year_bounds(year)
    else:
        year = dues.membership_year_for(today)
        start, end = today, dues.membership_year_bounds(year)[1]
    rate = rate_on(category, start)
    full = dues.Shares(rate.local_share, rate.state_share, rate.national_share)
    shares = dues.dues_for(full, category.proration, start, renewal=renewal_of is not None)
    return Quote(category, year, start, end, shares, full, renewal_of is not None)


def installment_schedule(*, plan: PaymentPlan, member: Member, start: date, end: date, amount: Decimal, today: date):
    """(date, amount) drafts for an installment plan; the first is drafted today at checkout."""
    district = member.employer_district
    dates = dues.installment_dates(
        frequency="payday" if plan.kind == PaymentPlan.Kind.PAYDAY else "monthly",
        start=max(start, today) + timedelta(days=1), end=end, day_of_month=plan.draft_day,
        pay_schedule=district.pay_schedule if district else dues.PaySchedule.MONTHLY_LAST_BUSINESS_DAY,
        pay_anchor=district.pay_anchor if district else None,
    )
    return dues.split_installments(amount, [max(start, today), *dates])


def term_category_change_quote(*, term: MembershipTerm, category: MembershipCategory) -> dues.Shares:
    """The dues term_change_category would set: the category's rate on the term's own start date, prorated
    unless the term is a renewal. For the confirmation page; the service computes it again when it runs."""
    rate = rate_on(category, term.start)
    full = dues.Shares(rate.local_share, rate.state_share, rate.national_share)
    return dues.dues_for(full, category.proration, term.start, renewal=term.continues_id is not None)
