"""Markup defects the W3C Nu Html Checker and axe found, checked by parsing the rendered pages."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings


class Tree(HTMLParser):
    """Just enough of a DOM: each start tag with its attributes and its open ancestors."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, html):
        super().__init__()
        self.stack, self.elements, self.ids = [], [], set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs, tuple(t for t, _ in self.stack)))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def find(self, tag, **attrs):
        return [(t, a, anc) for t, a, anc in self.elements
                if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return Tree(response.content.decode())


@pytest.mark.parametrize(("persona", "url"), [("anonymous", "/accounts/signup/"),
                                              ("member", "/accounts/password/change/")])
def test_password_help_list_is_not_inside_a_paragraph_or_span(as_persona, world, persona, url):
    tree = page(as_persona(persona), url)
    lists = [element for element in tree.find("ul") + tree.find("li") if "form" in element[2]]
    assert lists, "the password rules should be listed in the form"
    for _, _, ancestors in lists:
        assert "p" not in ancestors and "span" not in ancestors, ancestors


PAGES = [("anonymous", "/"), ("anonymous", "/accounts/login/"), ("anonymous", "/accounts/signup/"),
         ("member", "/members/profile/"), ("member", "/dashboard/"), ("member", "/accounts/sessions/"),
         ("member", "/accounts/password/change/"), ("outsider", "/members/join/"),
         ("staff", "/members/staff/members/"), ("staff", "/members/staff/categories/"), ("admin_user", "/audit/")]


@pytest.mark.parametrize(("persona", "url"), PAGES)
def test_every_aria_reference_points_at_an_element(as_persona, world, persona, url):
    tree = page(as_persona(persona), url)
    for tag, attrs, _ in tree.elements:
        for name in ("aria-describedby", "aria-labelledby"):
            if name in attrs:
                ids = (attrs[name] or "").split()
                assert ids, f'{tag} with an empty {name}="" on {url}'
                assert set(ids) <= tree.ids, f"{tag} {name}={attrs[name]!r} names no element on {url}"


@pytest.mark.parametrize(("persona", "url"), PAGES)
def test_every_page_has_a_meta_description(as_persona, world, persona, url):
    tree = page(as_persona(persona), url)
    [(_, meta, _)] = tree.find("meta", name="description")
    assert len(meta["content"]) > 40


def test_home_and_join_have_their_own_description(as_persona, world):
    home = page(as_persona("anonymous"), "/").find("meta", name="description")[0][1]["content"]
    join = page(as_persona("outsider"), "/members/join/").find("meta", name="description")[0][1]["content"]
    profile = page(as_persona("member"), "/members/profile/").find("meta", name="description")[0][1]["content"]
    assert len({home, join, profile}) == 3


def test_every_sessions_column_has_a_header(as_persona, world):
    html = as_persona("member").get("/accounts/sessions/").content.decode()
    for table in re.findall(r"<table.*?</table>", html, re.S):
        headers = len(re.findall(r"<th\b", re.search(r"<thead>.*?</thead>", table, re.S).group(0)))
        for row in re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>.*?</tbody>", table, re.S).group(0), re.S):
            assert len(re.findall(r"<td\b", row)) == headers


@pytest.mark.parametrize(("persona", "url"), [("staff", "/members/staff/members/"),
                                              ("staff", "/members/staff/categories/"), ("admin_user", "/audit/"),
                                              ("member", "/accounts/sessions/")])
def test_scrollable_tables_are_focusable_named_regions(as_persona, world, persona, url):
    tree = page(as_persona(persona), url)
    regions = [a for t, a, _ in tree.elements if t == "div" and "table-scroll" in a.get("class", "").split()]
    assert regions
    for attrs in regions:
        assert attrs.get("tabindex") == "0" and attrs.get("role") == "region" and attrs.get("aria-labelledby")


def test_documents_panel_opened_directly_is_a_full_page(as_persona, world):
    client = as_persona("member")
    direct = client.get("/documents/panel/").content.decode()
    assert direct.lstrip().startswith("<!DOCTYPE html>") and "portal.css" in direct and "<h1>Your documents</h1>" in direct
    fragment = client.get("/documents/panel/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith("{% comment %}") is False and "<html" not in fragment
    assert 'id="documents-panel"' in fragment


def test_sign_in_page_speaks_the_portals_words(as_persona, world):
    html = as_persona("anonymous").get("/accounts/login/").content.decode()
    assert "Sign in to the MAE Member Portal" in html
    assert "If you have not created an account yet" not in html


def _luminance(hex_colour):
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_focus_ring_has_3_to_1_contrast_on_white_and_the_grey_page():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid var\(--focus-ring\)", css)
    for background in ("paper", "wash"):
        assert contrast(colours["focus-ring"], colours[background]) >= 3
    assert re.search(r"\.site-header :focus-visible\s*\{[^}]*var\(--focus-ring-on-blue\)", css)
    assert contrast(colours["focus-ring-on-blue"], colours["blue"]) >= 3
    assert contrast("#ffbf47", "#ffffff") < 3  # why the yellow alone was not enough
