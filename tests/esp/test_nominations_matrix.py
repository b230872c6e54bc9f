"""Every nominating URL x every persona -> the status that persona must get.

- A nominator sees only their own nominations: 404 for anyone else's, whoever asks.
- The nominee's pages open with their emailed token (for anyone holding it, signed in or not) or signed in
  as the nominee (404 for everyone else).
- A letter writer's link opens only their letter's upload page: 404 for a bad token, 410 once received.
- Leaders endorse only their own local's nominations (404 for another local's), and only the president.
- Screening is for awards staff and admins: 403 for everyone else, 404 for staff asking for a draft.
Signed-out visitors are sent to sign in (302) where a page needs an account.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from esp.models import SupportLetter
from esp.services import nominations as services
from members import clock
from tests.esp.test_nominations import complete, eligible, letter_pdf, open_cycle, pdf_file
from tests.factories import MemberFactory, UserFactory
from tests.matrix import PERSONAS, SIGNED_IN, assert_covers, check_row, everyone, get, only, post, row_id, signed_in

NOMINATORS = {"member", "leader"}  # the personas with a member record
STAFF = {"awards", "admin_user"}


def nobody_but(allowed, ok=200, others=404):
    return {"anonymous": 302, **{p: (ok if p in allowed else others) for p in SIGNED_IN}}


def staff_only(ok=200, staff_missing=None):
    status = staff_missing or ok
    return {"anonymous": 302, **{p: (status if p in STAFF else 403) for p in SIGNED_IN}}


@pytest.fixture
def objects(world, member, leader):
    cycle = open_cycle()
    now, today = timezone.now(), clock.today()
    someone = UserFactory(email="nominator@example.org")
    gloria = eligible(MemberFactory(legal_last_name="Ivy", local=world.local_a, employer_district=world.district_a))
    own = services.nomination_start(cycle=cycle, nominee=gloria, nominator=member, now=now, today=today)
    services.letter_request(nomination=own, writer_name="Ruth Hale", writer_email="ruth@example.org",
                            writer_relationship="", actor=member, now=now)
    letter = SupportLetter.objects.get(writer_name="Ruth Hale")
    received = services.letter_upload(nomination=own, file=pdf_file(), actor=member, now=now, writer_name="Done")
    # The member persona is the nominee of another nomination (and has consented).
    as_nominee = services.nomination_start(cycle=cycle, nominee=member.member, nominator=someone, now=now, today=today)
    services.nomination_consent(nomination=as_nominee, consent=True, actor=member, now=now)
    # Another local's nomination, and a submitted one for screening.
    greenville = MemberFactory(local=world.local_b, employer_district=world.district_b)
    foreign = services.nomination_start(cycle=cycle, nominee=greenville, nominator=someone, now=now, today=today)
    submitted = services.nomination_start(cycle=cycle, nominee=eligible(MemberFactory(local=world.local_a)),
                                          nominator=someone, now=now, today=today)
    complete(submitted, president=leader, now=now)
    assert services.nomination_submit(nomination=submitted, actor=someone, now=now, today=today).submitted
    return {"year": cycle.year, "own": own.pk, "as_nominee": as_nominee.pk, "foreign": foreign.pk,
            "sub": submitted.pk, "token": own.consent_token, "nominee_token": as_nominee.consent_token,
            "letter": letter.token, "received": received.token}


N = "/esp/nominations"
S = "/esp/awards/staff/nominations"
NOT_ALLOWED = everyone(405)
MATRIX = [
    get("/esp/award/{year}/nominate/", only(NOMINATORS)),
    post("/esp/award/{year}/nominate/", only(NOMINATORS)),
    get("/esp/award/1999/nominate/", signed_in(404)),
    post("/esp/award/1999/nominate/", signed_in(404)),
    get(f"{N}/", signed_in(200)),
    post(f"{N}/", NOT_ALLOWED),
    # The nominator's own pages.
    get(f"{N}/{{own}}/", nobody_but({"member"})),
    post(f"{N}/{{own}}/", nobody_but({"member"}, ok=302)),  # an empty draft saves, then back to the page
    get(f"{N}/{{foreign}}/", nobody_but(set())),
    post(f"{N}/{{foreign}}/", nobody_but(set())),
    get(f"{N}/{{own}}/autosave/", NOT_ALLOWED),
    post(f"{N}/{{own}}/autosave/", nobody_but({"member"})),
    post(f"{N}/{{foreign}}/autosave/", nobody_but(set())),
    get(f"{N}/{{own}}/consent/request/", NOT_ALLOWED),
    post(f"{N}/{{own}}/consent/request/", nobody_but({"member"}, ok=302)),
    post(f"{N}/{{foreign}}/consent/request/", nobody_but(set())),
    get(f"{N}/{{own}}/letters/upload/", nobody_but({"member"})),
    post(f"{N}/{{own}}/letters/upload/", nobody_but({"member"})),  # empty: the form's errors
    get(f"{N}/{{foreign}}/letters/upload/", nobody_but(set())),
    get(f"{N}/{{own}}/letters/request/", nobody_but({"member"})),
    post(f"{N}/{{own}}/letters/request/", nobody_but({"member"})),
    post(f"{N}/{{foreign}}/letters/request/", nobody_but(set())),
    get(f"{N}/{{own}}/submit/", nobody_but({"member"})),
    post(f"{N}/{{own}}/submit/", nobody_but({"member"}, ok=302)),  # refused (incomplete), back with a message
    post(f"{N}/{{foreign}}/submit/", nobody_but(set())),
    get(f"{N}/{{own}}/withdraw/", nobody_but({"member"})),
    post(f"{N}/{{own}}/withdraw/", nobody_but({"member"}, ok=302)),
    post(f"{N}/{{foreign}}/withdraw/", nobody_but(set())),
    # The local president: their own local only.
    get(f"{N}/{{own}}/endorse/", nobody_but({"leader"})),
    post(f"{N}/{{own}}/endorse/", nobody_but({"leader"})),  # empty: the form's errors
    get(f"{N}/{{foreign}}/endorse/", nobody_but(set())),
    post(f"{N}/{{foreign}}/endorse/", nobody_but(set())),
    # The nominee, signed in (the member persona is the nominee of `as_nominee`).
    get(f"{N}/{{as_nominee}}/respond/", nobody_but({"member"})),
    post(f"{N}/{{as_nominee}}/respond/", nobody_but({"member"})),
    get(f"{N}/{{own}}/respond/", nobody_but(set())),  # the nominator is not the nominee
    post(f"{N}/{{own}}/respond/", nobody_but(set())),
    get(f"{N}/{{as_nominee}}/statements/", nobody_but({"member"})),
    post(f"{N}/{{as_nominee}}/statements/", nobody_but({"member"})),
    get(f"{N}/{{own}}/statements/", nobody_but(set())),
    get(f"{N}/{{as_nominee}}/statements/autosave/", NOT_ALLOWED),
    post(f"{N}/{{as_nominee}}/statements/autosave/", nobody_but({"member"})),
    post(f"{N}/{{own}}/statements/autosave/", nobody_but(set())),
    # The nominee, by the emailed link: whoever holds the token, signed in or not.
    get(f"{N}/respond/{{token}}/", everyone(200)),
    post(f"{N}/respond/{{token}}/", everyone(200)),  # no answer chosen: the page again, with the error
    get(f"{N}/respond/not-a-token/", everyone(404)),
    post(f"{N}/respond/not-a-token/", everyone(404)),
    get(f"{N}/respond/{{nominee_token}}/statements/", everyone(200)),
    post(f"{N}/respond/{{nominee_token}}/statements/", everyone(200)),
    get(f"{N}/respond/not-a-token/statements/", everyone(404)),
    get(f"{N}/respond/{{nominee_token}}/statements/autosave/", NOT_ALLOWED),
    post(f"{N}/respond/{{nominee_token}}/statements/autosave/", everyone(200)),
    post(f"{N}/respond/not-a-token/statements/autosave/", everyone(404)),
    # A letter writer's link.
    get("/esp/letters/{letter}/", everyone(200)),
    post("/esp/letters/{letter}/", everyone(200)),  # no file: the form's error
    get("/esp/letters/{received}/", everyone(410)),
    post("/esp/letters/{received}/", everyone(410)),
    get("/esp/letters/{token}/", everyone(404)),  # the consent token is not a letter's
    post("/esp/letters/not-a-token/", everyone(404)),
    # Screening.
    get(f"{S}/", staff_only()),
    post(f"{S}/", NOT_ALLOWED),
    get(f"{S}/{{year}}/", staff_only()),
    post(f"{S}/{{year}}/", NOT_ALLOWED),
    get(f"{S}/1999/", staff_only(staff_missing=404)),
    get(f"{S}/{{year}}/{{sub}}/", staff_only()),
    post(f"{S}/{{year}}/{{sub}}/", staff_only()),  # empty: the form's errors
    post(f"{S}/{{year}}/{{sub}}/", staff_only(302), data={"decision": "pass", "note": ""}),
    get(f"{S}/{{year}}/{{own}}/", staff_only(staff_missing=404)),  # a draft is not screened
    post(f"{S}/{{year}}/{{own}}/", staff_only(staff_missing=404)),
    get(f"{S}/1999/{{sub}}/", staff_only(staff_missing=404)),
    get(f"{S}/{{year}}/{{sub}}/recheck/", NOT_ALLOWED),
    post(f"{S}/{{year}}/{{sub}}/recheck/", staff_only(302)),
    post(f"{S}/{{year}}/{{own}}/recheck/", staff_only(staff_missing=404)),
]


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_matrix(row, matrix_clients, objects):
    check_row(row, matrix_clients, objects)


def test_matrix_covers_every_url(objects):
    assert_covers(MATRIX, objects, claims=["/esp/award/<int:year>/nominate/", "/esp/nominations/", "/esp/letters/",
                                           "/esp/awards/staff/nominations/"])


def test_personas_are_all_in_the_matrix():
    assert all(set(row.expected) == set(PERSONAS) for row in MATRIX)


# --- Query counts of the list pages do not grow with rows -----------------------------------------------------


def _queries(client, url):
    """Queries of a page seen a second time: the first visit after a change fills caches (the session record,
    content types, the menu's cached involvement, which every nomination change renews)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _nominations(cycle, nominator, world, leader, n, *, submit):
    now, today = timezone.now(), clock.today()
    for _ in range(n):
        nomination = services.nomination_start(cycle=cycle, nominee=eligible(MemberFactory(local=world.local_a)),
                                               nominator=nominator, now=now, today=today)
        if submit:
            complete(nomination, president=leader, now=now)
            services.nomination_submit(nomination=nomination, actor=nominator, now=now, today=today)


def test_my_nominations_queries_do_not_grow(world, member, leader):
    cycle = open_cycle()
    client = Client()
    client.force_login(member)
    url = reverse("esp:my_nominations")
    _nominations(cycle, member, world, leader, 2, submit=False)
    few = _queries(client, url)
    _nominations(cycle, member, world, leader, 6, submit=False)
    assert _queries(client, url) == few
    dashboard = _queries(client, reverse("dashboard"))
    _nominations(cycle, member, world, leader, 3, submit=False)
    assert _queries(client, reverse("dashboard")) == dashboard


def test_screening_list_queries_do_not_grow(world, member, leader, awards):
    cycle = open_cycle()
    client = Client()
    client.force_login(awards)
    url = reverse("esp:screening_list", args=[cycle.year])
    _nominations(cycle, member, world, leader, 2, submit=True)
    few = _queries(client, url)
    _nominations(cycle, member, world, leader, 4, submit=True)
    assert _queries(client, url) == few
    assert letter_pdf()  # the letters were real PDFs


def test_the_menu_asks_the_database_nothing_once_it_knows(world, member, leader):
    """"My nominations" shows on every page for nominators: its answer comes from the cache, renewed only when
    a nomination changes."""
    cycle = open_cycle()
    _nominations(cycle, member, world, leader, 1, submit=False)
    client = Client()
    client.force_login(member)
    client.get(reverse("esp:career_fields"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("esp:career_fields")).content.decode()
    assert f'href="{reverse("esp:my_nominations")}"' in page
    assert not [q["sql"] for q in queries.captured_queries if "esp_nomination" in q["sql"]]
