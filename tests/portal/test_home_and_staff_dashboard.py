"""The home page promises only what exists and links to it; staff see their work first, never "Join MAE"."""

import re

import pytest
from django.urls import resolve

PROMISES_WITHOUT_PAGES = ["ESP of the Year", "Mentoring", "certificates", "micro-credentials", "CEU",
                          "watch every deadline", "work your case"]


def _cards(page):
    return re.findall(r'<li class="card">(.*?)</li>', page, re.S)


@pytest.mark.parametrize("persona", ["anonymous", "member", "staff", "director", "reviewer"])
def test_home_cards_link_to_pages_that_exist_and_promise_nothing_else(as_persona, world, persona):
    page = as_persona(persona).get("/").content.decode()
    cards = _cards(page)
    assert len(cards) == 3
    for text in PROMISES_WITHOUT_PAGES:
        assert text not in page, text
    for card in cards:
        links = re.findall(r'href="([^"]*)"', card)
        assert links, f"a home card without a link to its page (or, with no page yet, a phone number): {card}"
        for href in links:
            if href.startswith("/"):
                resolve(href.split("?")[0])  # Resolver404 if the page does not exist


@pytest.mark.parametrize(("persona", "first_heading", "tools"), [
    ("staff", "staff-role-heading", True),
    ("director", "staff-role-heading", True),
    ("region_manager", "staff-role-heading", True),
    ("admin_user", "staff-role-heading", True),
    ("reviewer", "staff-role-heading", False),
    ("awards", "staff-role-heading", False),
    ("coordinator", "staff-role-heading", False),
])
def test_staff_dashboard_shows_their_work_first_and_no_join_nag(as_persona, world, persona, first_heading, tools):
    page = as_persona(persona).get("/dashboard/").content.decode()
    assert "Not a member yet" not in page and "Join MAE" not in page
    headings = re.findall(r'<h2 id="([^"]+)"', page)
    assert headings[0] == first_heading
    assert ("tools-heading" in headings) is tools
    if tools:
        assert headings.index("tools-heading") < headings.index("account-heading")


@pytest.mark.parametrize("persona", ["staff", "director", "reviewer"])
def test_home_page_does_not_ask_staff_to_join(as_persona, world, persona):
    page = as_persona(persona).get("/").content.decode()
    assert 'class="button" href="/members/join/">Join MAE</a>' not in page


@pytest.mark.parametrize("persona", ["outsider", "anonymous"])
def test_people_who_may_join_are_still_invited(as_persona, world, persona):
    client = as_persona(persona)
    assert 'href="/members/join/">Join MAE</a>' in client.get("/").content.decode()
    if persona == "outsider":
        page = client.get("/dashboard/").content.decode()
        assert "Not a member yet" in page and "staff-role-heading" not in page


def test_members_and_leaders_see_no_staff_panel(as_persona, world):
    for persona in ("member", "leader"):
        page = as_persona(persona).get("/dashboard/").content.decode()
        assert "staff-role-heading" not in page


def test_the_signed_out_home_page_is_rendered_once_a_minute_and_never_for_someone(client, member, monkeypatch,
                                                                                  django_assert_num_queries):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    from mae_portal import views

    first = client.get("/")
    with django_assert_num_queries(0):
        again = client.get("/")
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert "Sign in" in again.content.decode() and again.templates == []  # not rendered again
    # A flash message for this visitor: the page is rendered, with it.
    storage = CookieStorage(RequestFactory().get("/"))
    storage.add(constants.SUCCESS, "You have signed out.")
    response = views.HttpResponse()
    storage.update(response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    assert "You have signed out." in client.get("/").content.decode()
    assert "You have signed out." not in client.get("/").content.decode()  # shown once; then the kept page
    monkeypatch.setattr(views, "SIGNED_OUT_HOME_SECONDS", 0)
    assert client.get("/").templates  # older than the minute: rendered again
    client.force_login(member)
    signed_in = client.get("/")
    assert signed_in.templates and "Sign out" in signed_in.content.decode()
