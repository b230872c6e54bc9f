"""Conflict detection: the pure rules as a table, then the service against real records (idempotent,
declared conflicts kept, assignments refused and removed)."""

import pytest

from esp.conflicts import NominationFacts, Person, ReviewerFacts, conflicts_between
from esp.models import Conflict, ReviewAssignment
from esp.services.assignment import assignment_add
from esp.services.conflicts import conflict_declare, conflicts_detect
from esp.services.review_errors import ReviewError
from mae_portal.models import AuditLog
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user, worksite_in
from tests.factories import MemberFactory

NOMINEE = Person(local_id=1, district_id=10, worksite_id=100, job_title="Bus driver")


def facts(**overrides):
    base = {"nomination_id": 7, "nominee_user_id": 50, "nominee": NOMINEE, "nominator_id": 60,
            "letter_writer_user_ids": frozenset({70}), "letter_writer_emails": frozenset({"writer@example.org"})}
    return NominationFacts(**{**base, **overrides})


# (reviewer user id, reviewer emails, reviewer's member record or None) -> kinds found
TABLE = [
    ("stranger", 1, set(), Person(local_id=2, district_id=20, worksite_id=200), set()),
    ("no member record", 1, set(), None, set()),
    ("same local only", 1, set(), Person(local_id=1, district_id=20, worksite_id=200), {"same_local"}),
    ("same district, other site", 1, set(), Person(local_id=2, district_id=10, worksite_id=201), {"same_district"}),
    ("same worksite", 1, set(), Person(local_id=1, district_id=10, worksite_id=100),
     {"same_local", "same_district", "same_worksite"}),
    ("nominator", 60, set(), None, {"nominator"}),
    ("letter writer by account", 70, set(), None, {"letter_writer"}),
    ("letter writer by email", 1, {"writer@example.org"}, None, {"letter_writer"}),
    ("the nominee", 50, set(), None, {"other"}),
    ("principal at the site", 1, set(), Person(local_id=2, district_id=10, worksite_id=100, job_title="Assistant Principal"),
     {"same_district", "same_worksite", "supervisor"}),
    ("transportation director at the site", 1, set(),
     Person(local_id=2, district_id=10, worksite_id=100, job_title="Director of Transportation"),
     {"same_district", "same_worksite", "supervisor"}),
    ("principal elsewhere in the district", 1, set(), Person(local_id=2, district_id=10, worksite_id=300,
                                                            job_title="Principal"), {"same_district"}),
    ("superintendent of the district", 1, set(), Person(district_id=10, job_title="Superintendent"),
     {"same_district", "supervisor"}),
    ("superintendent elsewhere", 1, set(), Person(district_id=11, job_title="Superintendent"), set()),
    ("custodian at the site", 1, set(), Person(district_id=10, worksite_id=100, job_title="Custodian"),
     {"same_district", "same_worksite"}),
    ("unknown places match nothing", 1, set(), Person(), set()),
]


@pytest.mark.parametrize("case,user_id,emails,member,expected", TABLE, ids=[row[0] for row in TABLE])
def test_conflict_rules(case, user_id, emails, member, expected):
    reviewer = ReviewerFacts(user_id=user_id, emails=frozenset(emails), member=member)
    assert {kind for kind, _ in conflicts_between(reviewer, facts())} == expected


def test_unknown_nominee_places_match_no_unknown_reviewer_places():
    reviewer = ReviewerFacts(user_id=1, member=Person())
    assert conflicts_between(reviewer, facts(nominee=Person())) == []


@pytest.fixture
def setting(world, member, awards):
    cycle = AwardCycleFactory(phase="review")
    site = worksite_in(world.district_a, "Lee Elementary School")
    nominee = MemberFactory(employer_district=world.district_a, worksite=site, local=world.local_a)
    nomination = nomination_for_review(cycle, nominator=member, nominee=nominee)
    nomination.letters.create(writer_name="Pat Writer", writer_email="Pat.Writer@example.org")
    colleague = reviewer_user(employer_district=world.district_a, worksite=site, local=world.local_a,
                              job_title="Lunchroom manager")
    writer = reviewer_user("pat.writer@example.org")
    far = reviewer_user(employer_district=world.district_b, local=world.local_b)
    return cycle, nomination, colleague, writer, far


def test_detect_finds_records_conflicts_once(setting, awards):
    cycle, nomination, colleague, writer, far = setting
    first = conflicts_detect(cycle=cycle, actor=awards)
    found = set(Conflict.objects.values_list("reviewer__email", "kind"))
    assert found == {(colleague.email, "same_local"), (colleague.email, "same_district"),
                     (colleague.email, "same_worksite"), (colleague.email, "supervisor"),
                     (writer.email, "letter_writer")}
    assert first["added"] == 5
    again = conflicts_detect(cycle=cycle, actor=awards)
    assert again == {"added": 0, "removed": 0, "assignments_removed": 0}
    assert Conflict.objects.count() == 5
    assert not Conflict.objects.filter(reviewer=far).exists()
    assert AuditLog.objects.filter(action="esp.review.conflicts_detected").count() == 2


def test_detect_removes_what_the_records_no_longer_show_but_keeps_declared(setting, awards, world):
    cycle, nomination, colleague, writer, far = setting
    conflicts_detect(cycle=cycle, actor=awards)
    conflict_declare(nomination=nomination, reviewer=far, kind="relative", note="My cousin")
    record = colleague.member
    record.employer_district, record.worksite, record.local = world.district_b, None, world.local_b
    record.save()
    result = conflicts_detect(cycle=cycle, actor=awards)
    assert result["removed"] == 4
    assert set(Conflict.objects.values_list("reviewer__email", "kind", "source")) == {
        (writer.email, "letter_writer", "records"), (far.email, "relative", "declared")}


def test_a_conflicted_reviewer_is_refused_by_hand(setting, awards):
    cycle, nomination, colleague, writer, far = setting
    conflicts_detect(cycle=cycle, actor=awards)
    with pytest.raises(ReviewError, match="conflict"):
        assignment_add(nomination=nomination, reviewer=writer, round="review", actor=awards)
    assert not ReviewAssignment.objects.exists()
    assignment_add(nomination=nomination, reviewer=far, round="review", actor=awards)
    assert ReviewAssignment.objects.filter(reviewer=far).exists()


def test_a_declared_conflict_takes_the_reviewer_off(setting, awards):
    cycle, nomination, colleague, writer, far = setting
    assignment = assignment_add(nomination=nomination, reviewer=far, round="review", actor=awards)
    conflict_declare(nomination=nomination, reviewer=far, kind="other", note="We coach together")
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()
    entry = AuditLog.objects.get(action="esp.review.assignment_removed")
    assert entry.changes["why"] == "conflict"


def test_detect_removes_an_assignment_made_before_the_conflict_was_known(setting, awards):
    cycle, nomination, colleague, writer, far = setting
    ReviewAssignment.objects.create(nomination=nomination, reviewer=writer, round="review", assigned_by=awards)
    assert conflicts_detect(cycle=cycle, actor=awards)["assignments_removed"] == 1
    assert not ReviewAssignment.objects.exists()


def test_declaring_needs_a_known_kind(setting):
    cycle, nomination, colleague, writer, far = setting
    with pytest.raises(ReviewError):
        conflict_declare(nomination=nomination, reviewer=far, kind="enemy")
