"""Closure days staff enter per district feed that district's business calendar."""

from datetime import date

from members.models import DistrictClosure
from members.selectors.calendar import business_calendar_for


def test_business_calendar_for_a_district_counts_its_closures_only(world, django_assert_num_queries):
    DistrictClosure.objects.create(district=world.district_a, day=date(2027, 1, 12), reason="snow day")
    DistrictClosure.objects.create(district=world.district_b, day=date(2027, 1, 13), reason="ice storm")
    DistrictClosure.objects.create(district=world.district_a, day=date(2025, 1, 21), reason="snow day")
    with django_assert_num_queries(1):
        calendar = business_calendar_for(world.district_a, years=[2026, 2027])
    assert calendar.closed_reason(date(2027, 1, 12)) == "district closure: snow day"
    assert calendar.is_open(date(2027, 1, 13))  # the other district's closure
    assert calendar.is_open(date(2025, 1, 21))  # a year not asked for
    assert calendar.closed_reason(date(2027, 1, 18)) == "Dr. Martin Luther King Jr. and Robert E. Lee's Birthdays"
    assert calendar.add_working_days(date(2027, 1, 11), 1) == date(2027, 1, 13)


def test_membership_staff_enter_closures_in_the_admin(client, staff, world):
    client.force_login(staff)
    assert client.get("/admin/members/districtclosure/").status_code == 200
    response = client.post("/admin/members/districtclosure/add/",
                           {"district": world.district_a.pk, "day": "2027-01-12", "reason": "snow day"})
    assert response.status_code == 302
    closure = DistrictClosure.objects.get()
    assert (closure.district, closure.day, closure.reason) == (world.district_a, date(2027, 1, 12), "snow day")
    # One closure per district and day.
    again = client.post("/admin/members/districtclosure/add/",
                        {"district": world.district_a.pk, "day": "2027-01-12", "reason": "still snowing"})
    assert again.status_code == 200 and DistrictClosure.objects.count() == 1


def test_other_personas_do_not_get_the_closures_admin(client, awards, world):
    client.force_login(awards)
    assert client.get("/admin/members/districtclosure/").status_code == 403
    assert client.get("/admin/members/careerfield/").status_code == 200  # awards staff curate career fields
