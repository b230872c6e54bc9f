"""Persona x URL x method -> status matrices, for every app.

A matrix is a list of rows. A row names a method, a URL (with `{names}` filled from the test's
`objects` fixture), an optional POST body, and the status each persona in `tests.conftest.PERSONAS` must
get:

    MATRIX = [
        get("/members/roster/", only(ROSTER_ROLES)),
        post("/members/roster/", only(ROSTER_ROLES)),         # an empty body
        post("/members/{own}/notes/", staff_only(302), data={"text": "x"}),
    ]

    @pytest.mark.parametrize("row", MATRIX, ids=row_id)
    def test_matrix(row, matrix_clients, objects):  # matrix_clients: tests/conftest.py
        check_row(row, matrix_clients, objects)

    def test_matrix_covers_every_url(objects):
        assert_covers(MATRIX, objects, claims=["/members/staff/"])

`check_row` sends the request once per persona, each inside a savepoint that is rolled back, so every
persona meets the same objects whatever the others' requests changed, and reports every persona whose
status differs in one failure. A signed-out visitor sent away (302) must be sent to the sign-in page.

`assert_covers` walks Django's URL resolver: every URL pattern under the prefixes the matrix claims (minus
the prefixes it leaves out, each with the reason) must have a GET row and a POST row.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import PERSONAS

SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]


@dataclass(frozen=True)
class Row:
    method: str
    url: str
    expected: dict
    data: dict = field(default_factory=dict)

    def __post_init__(self):
        missing = set(PERSONAS) - set(self.expected)
        assert not missing, f"{self.method} {self.url}: no expected status for {sorted(missing)}"


def get(url, expected):
    return Row("GET", url, expected)


def post(url, expected, data=None):
    return Row("POST", url, expected, data or {})


def both(url, expected, post_expected=None, data=None):
    """A GET row and a POST row; the POST answers `post_expected` (default: as the GET)."""
    return [get(url, expected), post(url, post_expected or expected, data)]


def row_id(row):
    return f"{row.method} {row.url}"


# --- Building the expected statuses ---------------------------------------------------------------------

def everyone(status):
    return {p: status for p in PERSONAS}


def signed_in(status, anonymous=302, **overrides):
    return {"anonymous": anonymous, **{p: status for p in SIGNED_IN}, **overrides}


def only(allowed, status_ok=200, denied=403, anonymous=302, **overrides):
    """`status_ok` for the personas in `allowed`, `denied` for every other signed-in one."""
    return {"anonymous": anonymous, **{p: (status_ok if p in allowed else denied) for p in SIGNED_IN}, **overrides}


# --- Running a row ---------------------------------------------------------------------------------------

def check_row(row: Row, client_for, objects: dict):
    url = row.url.format(**objects)
    got, wrong_redirects = {}, []
    for persona in PERSONAS:
        with transaction.atomic():
            client = client_for(persona)
            if row.method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, row.data)
            transaction.set_rollback(True)  # the next persona meets the same objects
        got[persona] = response.status_code
        # The admin's own login page signs in through allauth too (mae_portal/urls.py).
        if (persona == "anonymous" and response.status_code == 302 and not url.startswith("/accounts/")
                and not response["Location"].startswith((reverse("account_login"), reverse("admin:login")))):
            wrong_redirects.append(response["Location"])
    wrong = {p: f"expected {row.expected[p]}, got {got[p]}" for p in PERSONAS if got[p] != row.expected[p]}
    assert not wrong, f"{row.method} {row.url}: {wrong}"
    assert not wrong_redirects, f"{row.method} {row.url}: anonymous sent to {wrong_redirects}, not to sign in"


# --- Coverage ------------------------------------------------------------------------------------------

def url_patterns(resolver=None, route="/", regex=""):
    """(route text, full-path regex) for every URL pattern of the project."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        text = route + str(entry.pattern)
        part = entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, text, regex + part)
        elif isinstance(entry, URLPattern):
            yield text, re.compile("/" + regex + part)


def assert_covers(rows, objects: dict, *, claims=("/",), leaves_out: dict | None = None):
    """Fail for every URL pattern under `claims` (and not under a prefix of `leaves_out`, a
    {prefix: reason} dict) that lacks a GET row or a POST row."""
    leaves_out = leaves_out or {}
    assert all(reason.strip() for reason in leaves_out.values()), "say why each prefix is left out"
    paths = {(row.method, row.url.format(**objects).split("?")[0]) for row in rows}
    missing = []
    for route, regex in url_patterns():
        if not route.startswith(tuple(claims)) or route.startswith(tuple(leaves_out)):
            continue
        for method in ("GET", "POST"):
            if not any(m == method and regex.fullmatch(path) for m, path in paths):
                missing.append(f"{method} {route}")
    assert not missing, "URL patterns with no row in the matrix: " + ", ".join(missing)
