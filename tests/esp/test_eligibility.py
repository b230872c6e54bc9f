"""The eligibility rules (esp/eligibility.py) as tables of explicit dates: no database, no clock."""

from datetime import date

import pytest

from esp.eligibility import TermFact, check_eligibility


def year(y, status="expired", category="ESP full-time", retired=False, start=None, end=None):
    """A membership term of year `y` (September 1, y to August 31, y+1)."""
    return TermFact(start=start or date(y, 9, 1), end=end or date(y + 1, 8, 31), status=status, membership_year=y,
                    category=category, is_retired=retired)


TODAY = date(2026, 12, 1)  # in membership year 2026-27

CASES = [
    # (name, career field kind, terms, today, min years, {rule: passed}, a phrase of a failed rule's reason)
    ("three paid years, current one active", "esp",
     [year(2024), year(2025), year(2026, "active")], TODAY, 3,
     {"active_esp": True, "membership_years": True, "not_retired": True}, None),
    ("two years only", "esp",
     [year(2025), year(2026, "active")], TODAY, 3,
     {"active_esp": True, "membership_years": False, "not_retired": True},
     "2 membership years on record (2025-26, 2026-27); the award needs 3."),
    ("years need not be consecutive", "esp",
     [year(2019), year(2022), year(2026, "active")], TODAY, 3,
     {"active_esp": True, "membership_years": True, "not_retired": True}, None),
    ("a cancelled or lapsed year does not count", "esp",
     [year(2023, "cancelled"), year(2024, "lapsed"), year(2025), year(2026, "active")], TODAY, 3,
     {"active_esp": True, "membership_years": False, "not_retired": True}, "2 membership years on record"),
    ("two terms in one year count once", "esp",
     [year(2024), year(2025, end=date(2026, 1, 31)), year(2025, start=date(2026, 2, 1)), year(2026, "active")],
     TODAY, 3, {"active_esp": True, "membership_years": True, "not_retired": True}, None),
    ("next year paid in advance does not count yet", "esp",
     [year(2025), year(2026, "active"), year(2027, "active")], TODAY, 3,
     {"active_esp": True, "membership_years": False, "not_retired": True}, "(2025-26, 2026-27)"),
    ("a joiner in February has a whole membership year", "esp",
     [year(2024, start=date(2025, 2, 10)), year(2025), year(2026, "active")], TODAY, 3,
     {"active_esp": True, "membership_years": True, "not_retired": True}, None),
    ("no term covers today", "esp",
     [year(2022), year(2023), year(2024)], TODAY, 3,
     {"active_esp": False, "membership_years": True, "not_retired": True},
     "No membership covers December 1, 2026: the last one (2024-25) ended August 31, 2025."),
    ("this year's renewal is unpaid (grace)", "esp",
     [year(2023), year(2024), year(2025), year(2026, "grace")], TODAY, 3,
     {"active_esp": False, "membership_years": True, "not_retired": True},
     "The 2026-27 membership covering December 1, 2026 is not paid up (it is grace)."),
    ("a teacher is not an ESP", "professional",
     [year(2024), year(2025), year(2026, "active")], TODAY, 3,
     {"active_esp": False, "membership_years": True, "not_retired": True}, "not an ESP career field"),
    ("no career field on record", None,
     [year(2024), year(2025), year(2026, "active")], TODAY, 3,
     {"active_esp": False, "membership_years": True, "not_retired": True}, "no career field on record"),
    ("retired this year", "esp",
     [year(2024), year(2025), year(2026, "active", category="Retired", retired=True)], TODAY, 3,
     {"active_esp": True, "membership_years": True, "not_retired": False},
     "The current category (Retired, 2026-27) is a retired membership."),
    ("retired earlier but active ESP now", "esp",
     [year(2023, category="Retired", retired=True), year(2024), year(2025), year(2026, "active")], TODAY, 3,
     {"active_esp": True, "membership_years": True, "not_retired": True}, None),
    ("lapsed now, last term retired", "esp",
     [year(2023), year(2024), year(2025, category="Retired", retired=True)], TODAY, 3,
     {"active_esp": False, "membership_years": True, "not_retired": False}, "is a retired membership"),
    ("no terms at all", "esp", [], TODAY, 3,
     {"active_esp": False, "membership_years": False, "not_retired": False},
     "0 membership years on record; the award needs 3."),
    ("the cycle asks for one year", "esp", [year(2026, "active")], TODAY, 1,
     {"active_esp": True, "membership_years": True, "not_retired": True}, None),
    # Boundaries of the membership year: August 31 is the old year, September 1 the new one.
    ("August 31: last day of the old term", "esp",
     [year(2023), year(2024), year(2025, "active")], date(2026, 8, 31), 3,
     {"active_esp": True, "membership_years": True, "not_retired": True}, None),
    ("September 1 with the renewal unpaid", "esp",
     [year(2023), year(2024), year(2025, "expired"), year(2026, "pending")], date(2026, 9, 1), 3,
     {"active_esp": False, "membership_years": True, "not_retired": True}, "is not paid up (it is pending)"),
]


@pytest.mark.parametrize("name,kind,terms,today,min_years,expected,why", CASES, ids=[c[0] for c in CASES])
def test_eligibility_table(name, kind, terms, today, min_years, expected, why):
    result = check_eligibility(career_field_kind=kind, career_field_name="Transportation services" if kind == "esp"
                               else ("Teaching" if kind else ""), terms=terms, today=today, min_years=min_years)
    assert {r.rule: r.passed for r in result.rules} == expected
    assert result.passed is all(expected.values())
    if why:
        assert any(why in r.why for r in result.failed()), [r.why for r in result.rules]
    assert result.checked_on == today


def test_result_as_json_keeps_each_rule_and_why():
    result = check_eligibility(career_field_kind="esp", career_field_name="Food services",
                               terms=[year(2025), year(2026, "active")], today=TODAY, min_years=3)
    data = result.as_json()
    assert data["passed"] is False and data["checked_on"] == "2026-12-01"
    assert [r["rule"] for r in data["rules"]] == ["active_esp", "membership_years", "not_retired"]
    years = data["rules"][1]
    assert years == {"rule": "membership_years", "label": "At least 3 years of membership", "passed": False,
                     "why": "2 membership years on record (2025-26, 2026-27); the award needs 3."}
    assert "Food services" in data["rules"][0]["why"]
