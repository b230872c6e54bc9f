"""What the join and profile forms refuse: impossible hire dates, states and ZIP codes that do not exist,
phone numbers that cannot be dialled, and names carrying invisible characters (a U+202E makes a name read
backwards in the audit log). Each refusal is explained next to the field, and nothing is saved."""

from datetime import date

import pytest

from members import clock
from members.forms.fields import clean_hire_date, clean_us_phone, refuse_invisible_characters
from members.models import Member
from tests.members.test_membership_views import profile_data, sites  # noqa: F401 - fixture
from tests.members.test_profile import VALID, assert_profile_refused

TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("state", "ZZ", "two-letter code of a US state"),
    ("state", "XX", "two-letter code of a US state"),
    ("zip_code", "00000", "ZIP code in use"),
    ("zip_code", "00012-3456", "ZIP code in use"),
    ("zip_code", "3880", "5-digit ZIP"),
    ("mobile_phone", "555-555-5555", "10-digit"),
    ("mobile_phone", "123-456-7890", "10-digit"),
    ("mobile_phone", "+44 20 7946 0958", "10-digit"),
    ("preferred_name", "Mika\u202egnirts", "invisible or control characters"),
    ("preferred_name", "Mi\u200bka", "invisible or control characters"),
])
def test_profile_refuses(client, member, field, value, message):
    assert_profile_refused(client, member, field, value, message)


@pytest.mark.parametrize(("field", "value", "stored"), [
    ("state", "ms", "MS"), ("state", "Mississippi", "MS"), ("state", "PR", "PR"),
    ("zip_code", "38801", "38801"), ("zip_code", "38801-1234", "38801-1234"), ("zip_code", "00501", "00501"),
    ("mobile_phone", "(662) 555 0142", "662-555-0142"), ("mobile_phone", "+1 601 354 4463", "601-354-4463"),
    ("preferred_name", "Zoë-Ann O'Brien", "Zoë-Ann O'Brien"),
])
def test_profile_accepts_and_keeps_the_stored_format(client, member, field, value, stored):
    client.force_login(member)
    assert client.post("/members/profile/", {**VALID, field: value}).status_code == 302
    assert getattr(Member.objects.get(user=member), field) == stored


@pytest.mark.parametrize(("field", "value", "message"), [
    ("hire_date", "2031-03-01", "cannot be in the future"),
    ("hire_date", "2099-08-05", "cannot be in the future"),
    ("hire_date", "2026-11-23", "cannot be in the future"),
    ("hire_date", "1949-12-31", "Check the year"),
    ("legal_last_name", "\u202eLadner", "invisible or control characters"),
    ("legal_first_name", "Doro\u2066thy", "invisible or control characters"),
    ("legal_middle_name", "Mae\u0007", "invisible or control characters"),
    ("state", "ZZ", "two-letter code of a US state"),
    ("zip_code", "00000", "ZIP code in use"),
])
def test_join_refuses(client, outsider, sites, field, value, message):  # noqa: F811
    client.force_login(outsider)
    response = client.post("/members/join/", profile_data(sites, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html and message in html
    assert not Member.objects.filter(user=outsider).exists()


@pytest.mark.parametrize("hire_date", ["2026-11-22", "1950-01-01", "2019-08-05"])
def test_join_accepts_hire_dates_up_to_today(client, outsider, sites, hire_date):  # noqa: F811
    client.force_login(outsider)
    response = client.post("/members/join/", profile_data(sites, hire_date=hire_date))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Member.objects.get(user=outsider).hire_date == date.fromisoformat(hire_date)


@pytest.mark.parametrize(("value", "ok"), [
    (date(2026, 11, 22), True), (date(2026, 11, 23), False), (date(1950, 1, 1), True), (date(1949, 12, 31), False),
    (None, True),
])
def test_hire_date_rule(value, ok):
    from django import forms

    if ok:
        assert clean_hire_date(value, today=TODAY) == value
    else:
        with pytest.raises(forms.ValidationError):
            clean_hire_date(value, today=TODAY)


@pytest.mark.parametrize(("value", "ok"), [
    ("Tamika", True), ("José", True), ("Nguyễn", True), ("O'Neal-Smith", True), ("李", True),
    ("Ta\u202amika", False), ("Ta\u202dmika", False), ("Ta\u2069mika", False), ("Ta\u200dmika", False),
    ("Ta\x00mika", False), ("Ta\tmika", False), ("\ufeffTamika", False),
])
def test_name_character_rule(value, ok):
    from django import forms

    if ok:
        assert refuse_invisible_characters(value) == value
    else:
        with pytest.raises(forms.ValidationError):
            refuse_invisible_characters(value)


def test_phone_rule_keeps_the_stored_format():
    assert clean_us_phone(" 662.555.0142 ") == "662-555-0142"
    assert clean_us_phone("") == ""
