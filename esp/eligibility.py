"""Who may be ESP of the Year (DESIGN.md): an active ESP member, with at least N years of membership, not
retired. Pure: plain facts in (the career field, the member's terms, today), a result out; no database, no
clock. esp/selectors/nominations.py gathers the facts from the members app's public selectors.

The three rules, as MAE counts them:

- `active_esp`: a paid-up term (status "active": paid, or an installment plan in good standing) covers
  today, and the member's career field is an ESP one.
- `membership_years`: the number of distinct membership years (September 1 to August 31) in which the
  member had a paid term (status "active", or "expired" for a paid-up year that is over), counting the
  current year and no year that has not started. A cancelled, lapsed or unpaid term does not count, and a
  year with two terms (a category change) counts once. Years need not be consecutive. This is what an
  association counts ("three years of membership" means three years of paid dues), rather than a number
  of days: a member who joined in February has a membership year, not 0.5 of one.
- `not_retired`: the current term's category (the one covering today, else the latest term that is not
  cancelled) is not a retired category.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

PAID = ("active", "expired")  # members.dues.TermStatus values of a paid-up term


@dataclass(frozen=True)
class TermFact:
    """One membership term as eligibility sees it. `status` is a members.dues.TermStatus value today."""

    start: date
    end: date
    status: str
    membership_year: int
    category: str = ""
    is_retired: bool = False


@dataclass(frozen=True)
class RuleResult:
    rule: str
    label: str
    passed: bool
    why: str


@dataclass(frozen=True)
class Eligibility:
    passed: bool
    rules: tuple[RuleResult, ...]
    checked_on: date

    def failed(self) -> list[RuleResult]:
        return [rule for rule in self.rules if not rule.passed]

    def as_json(self) -> dict:
        """What Nomination.eligibility keeps."""
        return {"passed": self.passed, "checked_on": self.checked_on.isoformat(),
                "rules": [{"rule": r.rule, "label": r.label, "passed": r.passed, "why": r.why} for r in self.rules]}


def year_label(year: int) -> str:
    return f"{year}-{str(year + 1)[-2:]}"


def _day(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def check_eligibility(*, career_field_kind: str | None, career_field_name: str = "", terms: Iterable[TermFact],
                      today: date, min_years: int) -> Eligibility:
    """The three rules for a member on `today`; `min_years` comes from the cycle."""
    terms = list(terms)
    rules = (
        _active_esp(career_field_kind, career_field_name, terms, today),
        _membership_years(terms, today, min_years),
        _not_retired(terms, today),
    )
    return Eligibility(passed=all(rule.passed for rule in rules), rules=rules, checked_on=today)


def _covering(terms: list[TermFact], today: date) -> list[TermFact]:
    return [t for t in terms if t.start <= today <= t.end and t.status != "cancelled"]


def _active_esp(kind, field_name, terms, today) -> RuleResult:
    label = "Active ESP member"
    covering = _covering(terms, today)
    paid = [t for t in covering if t.status == "active"]
    if not paid:
        if covering:
            term = covering[0]
            why = (f"The {year_label(term.membership_year)} membership covering {_day(today)} is not paid up "
                   f"(it is {term.status}).")
        else:
            earlier = sorted((t for t in terms if t.status in PAID and t.end < today), key=lambda t: t.end)
            why = f"No membership covers {_day(today)}" + (
                f": the last one ({year_label(earlier[-1].membership_year)}) ended {_day(earlier[-1].end)}."
                if earlier else ".")
        return RuleResult("active_esp", label, False, why)
    term = paid[0]
    if kind != "esp":
        what = f"{field_name}, not an ESP career field" if field_name else "no career field on record"
        return RuleResult("active_esp", label, False,
                          f"A paid-up {year_label(term.membership_year)} membership, but the career field is {what}.")
    return RuleResult("active_esp", label, True,
                      f"A paid-up {year_label(term.membership_year)} membership ({term.category or 'membership'}) "
                      f"covers {_day(today)}; career field {field_name or 'ESP'}.")


def _membership_years(terms, today, min_years) -> RuleResult:
    label = f"At least {min_years} year{'s' if min_years != 1 else ''} of membership"
    years = sorted({t.membership_year for t in terms if t.status in PAID and t.start <= today})
    listed = f" ({', '.join(year_label(y) for y in years)})" if years else ""
    count = f"{len(years)} membership year{'s' if len(years) != 1 else ''} on record{listed}"
    passed = len(years) >= min_years
    return RuleResult("membership_years", label, passed,
                      f"{count}; the award needs {min_years}." if not passed else f"{count}.")


def _not_retired(terms, today) -> RuleResult:
    label = "Not retired"
    current = _covering(terms, today) or sorted(
        (t for t in terms if t.status != "cancelled" and t.start <= today), key=lambda t: t.start, reverse=True)
    if not current:
        return RuleResult("not_retired", label, False, "No membership on record, so no current category.")
    term = current[0]
    name = term.category or "The current category"
    if term.is_retired:
        return RuleResult("not_retired", label, False,
                          f"The current category ({name}, {year_label(term.membership_year)}) is a retired membership.")
    return RuleResult("not_retired", label, True,
                      f"The current category ({name}, {year_label(term.membership_year)}) is not a retired one.")
