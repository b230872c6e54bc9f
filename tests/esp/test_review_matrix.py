"""Every review URL x every persona -> the status that persona must get.

The reviewer pages (/esp/review/) are for award reviewers: anyone else signed in gets 403. A reviewer gets
404 for an assignment that is not theirs and for one on a nomination they have a conflict with, 403 for the
other reviewers' scores before the round closes. The staff pages (/esp/awards/staff/review/) are for awards
staff and admins (403 for everyone else, 404 for staff when the object does not exist). Signed-out visitors
are sent to sign in (302). Pages that only show something answer 405 to a POST.
"""

import pytest

from esp.models import Conflict, ReviewAssignment
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user
from tests.esp.test_review_blind import stored
from tests.matrix import SIGNED_IN, assert_covers, check_row, get, only, post, row_id

STAFF = {"awards", "admin_user"}
REVIEWER = {"reviewer"}


def staff_only(ok=200, missing=None):
    return {"anonymous": 302, **{p: ((missing or ok) if p in STAFF else 403) for p in SIGNED_IN}}


def reviewer_only(ok=200):
    return only(REVIEWER, status_ok=ok)


@pytest.fixture
def objects(world, member, reviewer, awards):
    cycle = AwardCycleFactory(phase="review")
    own, others, conflicted = (nomination_for_review(cycle, nominator=member, employer_district=world.district_b,
                                                     local=world.local_b) for _ in range(3))
    letter = own.letters.create(writer_name="A Writer", redacted_document=stored("award_letter_redacted"))
    mine = ReviewAssignment.objects.create(nomination=own, reviewer=reviewer, round="review", assigned_by=awards)
    theirs = ReviewAssignment.objects.create(nomination=others, reviewer=reviewer_user(), round="review",
                                             assigned_by=awards)
    blocked = ReviewAssignment.objects.create(nomination=conflicted, reviewer=reviewer, round="review",
                                              assigned_by=awards)
    Conflict.objects.create(nomination=conflicted, reviewer=reviewer, kind="relative", source="declared")
    return {"cycle": cycle.pk, "mine": mine.pk, "theirs": theirs.pk, "blocked": blocked.pk, "letter": letter.pk,
            "own": own.pk}


R, S = "/esp/review", "/esp/awards/staff/review"
MATRIX = [
    get(f"{R}/", reviewer_only()),
    post(f"{R}/", reviewer_only(405)),
    get(f"{R}/cycles/{{cycle}}/conflicts/", reviewer_only()),
    post(f"{R}/cycles/{{cycle}}/conflicts/", reviewer_only()),  # an empty declaration: its errors
    get(f"{R}/cycles/999999/conflicts/", reviewer_only(404)),
    get(f"{R}/{{mine}}/", reviewer_only()),
    post(f"{R}/{{mine}}/", reviewer_only(302), data={"draft": "1"}),
    get(f"{R}/{{theirs}}/", reviewer_only(404)),  # another reviewer's assignment
    post(f"{R}/{{theirs}}/", reviewer_only(404), data={"draft": "1"}),
    get(f"{R}/{{blocked}}/", reviewer_only(404)),  # assigned, but conflicted
    post(f"{R}/{{blocked}}/", reviewer_only(404), data={"draft": "1"}),
    get(f"{R}/{{mine}}/letters/{{letter}}/", reviewer_only()),
    post(f"{R}/{{mine}}/letters/{{letter}}/", reviewer_only(405)),
    get(f"{R}/{{theirs}}/letters/{{letter}}/", reviewer_only(404)),
    get(f"{R}/{{blocked}}/letters/{{letter}}/", reviewer_only(404)),
    get(f"{R}/{{mine}}/photo/", reviewer_only(404)),  # photos are hidden (and there is none)
    post(f"{R}/{{mine}}/photo/", reviewer_only(405)),
    get(f"{R}/{{mine}}/others/", reviewer_only(403)),  # other reviewers' scores: not before the round closes
    post(f"{R}/{{mine}}/others/", reviewer_only(405)),
    get(f"{R}/{{theirs}}/others/", reviewer_only(404)),

    get(f"{S}/", staff_only()),
    post(f"{S}/", staff_only(405)),
    get(f"{S}/cycles/{{cycle}}/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/", staff_only(405)),
    get(f"{S}/cycles/999999/", staff_only(missing=404)),
    get(f"{S}/cycles/{{cycle}}/blind/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/blind/", staff_only(302)),  # every box unticked: nothing hidden
    get(f"{S}/cycles/{{cycle}}/conflicts/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/conflicts/", staff_only(302)),  # check the records again
    get(f"{S}/cycles/{{cycle}}/assign/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/assign/", staff_only()),  # no round: the form's errors
    post(f"{S}/cycles/{{cycle}}/assign/", staff_only(302), data={"round": "review"}),
    get(f"{S}/cycles/{{cycle}}/close/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/close/", staff_only()),
    get(f"{S}/cycles/{{cycle}}/results/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/results/", staff_only(405)),
    get(f"{S}/cycles/{{cycle}}/finalists/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/finalists/", staff_only()),
    get(f"{S}/cycles/{{cycle}}/winner/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/winner/", staff_only()),
    get(f"{S}/cycles/{{cycle}}/packet/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/packet/", staff_only()),
    get(f"{S}/cycles/{{cycle}}/audit/", staff_only()),
    post(f"{S}/cycles/{{cycle}}/audit/", staff_only(405)),
    get(f"{S}/nominations/{{own}}/", staff_only()),
    post(f"{S}/nominations/{{own}}/", staff_only()),
    get(f"{S}/nominations/999999/", staff_only(missing=404)),
    get(f"{S}/nominations/{{own}}/assignments/{{mine}}/remove/", staff_only()),
    post(f"{S}/nominations/{{own}}/assignments/{{mine}}/remove/", staff_only(302)),
    get(f"{S}/nominations/{{own}}/assignments/{{theirs}}/remove/", staff_only(missing=404)),  # not this nomination's
    get(f"{S}/nominations/{{own}}/redact/", staff_only()),
    post(f"{S}/nominations/{{own}}/redact/", staff_only(302)),
    get(f"{S}/nominations/{{own}}/letters/{{letter}}/redacted/", staff_only()),
    post(f"{S}/nominations/{{own}}/letters/{{letter}}/redacted/", staff_only()),  # no file: the form's errors
]


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_matrix(row, matrix_clients, objects):
    check_row(row, matrix_clients, objects)


def test_matrix_covers_every_url(objects):
    assert_covers(MATRIX, objects, claims=["/esp/review/", "/esp/awards/staff/review/"])
