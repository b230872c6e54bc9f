"""The join page's heading and form fields are kept (members.views.member.join, members.reference_cache): the
same markup as the page renders itself, with each visitor's name and a CSRF token of their own, and new the
moment districts or career fields change."""

import re

import pytest
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.test import RequestFactory

from members import clock
from members.forms.join import JoinProfileForm
from members.models import CareerField, District, Member
from members.reference_cache import VERSION_KEY, scoped_key
from tests.factories import DistrictFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # kept only outside a transaction, as pages run


def form_markup(html: str) -> str:
    """The <form>'s contents after its CSRF token."""
    return re.search(r'<form method="post" novalidate><input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">'
                     r"(.*?)</form>", html, re.S).group(1)


def page_afresh(user) -> str:
    """The page as the template renders it, with no cache."""
    request = RequestFactory().get("/members/join/")
    request.user = user
    get_token(request)
    form = JoinProfileForm(instance=Member(legal_first_name=user.first_name, legal_last_name=user.last_name),
                           today=clock.today())
    return render_to_string("members/membership/join_profile.html", {
        "form": form, "districts": District.objects.values_list("name", flat=True), "member": None, "step": 1,
    }, request)


def main(html: str) -> str:
    """The page's <main>, its CSRF tokens left out (each request has its own)."""
    html = re.search(r"<main .*?</main>", html, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


def rendered_afresh(user) -> str:
    """The fields as the form renders them, with no cache."""
    return form_markup(page_afresh(user))


@pytest.mark.parametrize(("first", "last"), [("Tamika", "Shelton"), ('Jo "JJ" <b>', "O'Neal & Sons"), ("", "")])
def test_kept_markup_is_what_the_form_renders_with_each_visitors_name(client, world, first, last):
    cache.clear()
    for name in [("Kept", "Before"), (first, last)]:  # the first visit keeps it, the second reads it
        user = UserFactory(first_name=name[0], last_name=name[1])
        client.force_login(user)
        html = client.get("/members/join/").content.decode()
        assert form_markup(html) == rendered_afresh(user)
        assert main(html) == main(page_afresh(user))  # the heading and steps too
    assert cache.get(scoped_key("members:join-page")) is not None


def test_each_visitor_gets_their_own_csrf_token(client, world):
    tokens = set()
    for email in ["a@example.org", "b@example.org"]:
        client.force_login(UserFactory(email=email))
        html = client.get("/members/join/").content.decode()
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1))
        client.logout()
    assert len(tokens) == 2


def test_a_new_or_renamed_district_or_career_field_shows_at_once(client, world, outsider):
    client.force_login(outsider)
    page = client.get("/members/join/").content.decode()
    assert '<option value="Tupelo Public School District">' in page
    assert cache.get(scoped_key("members:join-page")) is not None  # kept
    DistrictFactory(name="Oxford School District", region=world.district_a.region)
    page = client.get("/members/join/").content.decode()
    assert '<option value="Oxford School District">' in page
    district = District.objects.get(name="Tupelo Public School District")
    district.name = "Tupelo Separate School District"
    district.save()
    page = client.get("/members/join/").content.decode()
    assert "Tupelo Separate School District" in page and "Tupelo Public School District" not in page
    field = CareerField.objects.order_by("sort_order").first()
    old_name = field.name
    field.name = "Renamed career field"
    field.save()
    page = client.get("/members/join/").content.decode()
    assert "Renamed career field" in page and f">{old_name}</option>" not in page
    field.delete()
    assert "Renamed career field" not in client.get("/members/join/").content.decode()
    District.objects.get(name="Oxford School District").delete()
    assert "Oxford School District" not in client.get("/members/join/").content.decode()


def test_a_change_inside_a_transaction_moves_the_version_only_once_committed(world):
    from django.db import transaction

    cache.set(scoped_key(VERSION_KEY), 1, None)
    with transaction.atomic():
        DistrictFactory(name="Oxford School District", region=world.district_a.region)
        assert cache.get(scoped_key(VERSION_KEY)) == 1
    assert cache.get(scoped_key(VERSION_KEY)) != 1


def test_a_visitor_with_a_member_record_but_no_membership_sees_their_own_details(client, world, outsider):
    cache.clear()
    client.force_login(UserFactory(email="other@example.org"))
    client.get("/members/join/")  # the empty form is kept
    MemberFactory(user=outsider, legal_first_name="Dana", legal_last_name="Pruitt", city="Verona",
                  employer_district=world.district_a)
    client.force_login(outsider)
    html = client.get("/members/join/").content.decode()
    assert "We have a member record for you" in html
    assert 'value="Verona"' in html and 'value="Dana"' in html and 'value="Tupelo Public School District"' in html
