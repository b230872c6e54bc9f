"""Conflicts of interest found from the records: pure rules over plain facts, no database.

A reviewer (a user, with their member record when they have one) has a conflict with a nomination when:

- they share the nominee's local association, school district or worksite (from both member records);
- they nominated the nominee (Nomination.nominator);
- they wrote one of its letters of support (SupportLetter.writer_user, or the letter's writer email is the
  reviewer's sign-in or member email, compared case-insensitively);
- they supervise the nominee. The records hold no reporting line, so "supervises" is read from what they
  do hold: the reviewer's member record is at the nominee's worksite with a supervisory job title
  (principal, director, supervisor, manager, coordinator, foreman, head custodian, lead), or in the
  nominee's district with a district-level one (superintendent). Any other supervision (a supervisor
  who is not a member, a reporting line across sites) is for the reviewer to declare;
- they are the nominee.

Each rule gives the conflict's kind (esp.models.Conflict.Kind values) and a note saying what matched.
"""

import re
from dataclasses import dataclass, field

SUPERVISORY_TITLES = re.compile(
    r"\b(principal|director|supervisor|manager|coordinator|foreman|head custodian|lead)\b", re.IGNORECASE)
DISTRICT_TITLES = re.compile(r"\b(superintendent)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    """What the records say about someone's place of work (ids; None when unknown)."""

    local_id: int | None = None
    district_id: int | None = None
    worksite_id: int | None = None
    job_title: str = ""


@dataclass(frozen=True)
class ReviewerFacts:
    user_id: int
    emails: frozenset = frozenset()  # lower-cased: sign-in and member record addresses
    member: Person | None = None


@dataclass(frozen=True)
class NominationFacts:
    nomination_id: int
    nominee_user_id: int | None
    nominee: Person
    nominator_id: int | None
    letter_writer_user_ids: frozenset = frozenset()
    letter_writer_emails: frozenset = frozenset()  # lower-cased
    names: dict = field(default_factory=dict, compare=False)  # for the notes: {"local", "district", "worksite"}


def supervises(reviewer: Person, nominee: Person) -> bool:
    """The records' reading of "supervises" (see the module docstring)."""
    title = reviewer.job_title or ""
    if reviewer.worksite_id and reviewer.worksite_id == nominee.worksite_id and SUPERVISORY_TITLES.search(title):
        return True
    return bool(reviewer.district_id and reviewer.district_id == nominee.district_id and DISTRICT_TITLES.search(title))


def conflicts_between(reviewer: ReviewerFacts, nomination: NominationFacts) -> list[tuple[str, str]]:
    """[(kind, note)] of every conflict the records show between the reviewer and the nomination."""
    found = []
    names = nomination.names
    if nomination.nominee_user_id and nomination.nominee_user_id == reviewer.user_id:
        found.append(("other", "The reviewer is the nominee."))
    if nomination.nominator_id and nomination.nominator_id == reviewer.user_id:
        found.append(("nominator", "The reviewer made this nomination."))
    if reviewer.user_id in nomination.letter_writer_user_ids or reviewer.emails & nomination.letter_writer_emails:
        found.append(("letter_writer", "The reviewer wrote a letter of support."))
    member, nominee = reviewer.member, nomination.nominee
    if member is not None:
        if member.local_id and member.local_id == nominee.local_id:
            found.append(("same_local", f"Both in {names.get('local') or 'the same local'}."))
        if member.district_id and member.district_id == nominee.district_id:
            found.append(("same_district", f"Both work for {names.get('district') or 'the same district'}."))
        if member.worksite_id and member.worksite_id == nominee.worksite_id:
            found.append(("same_worksite", f"Both work at {names.get('worksite') or 'the same worksite'}."))
        if supervises(member, nominee):
            found.append(("supervisor", f"Supervisory title at the nominee's workplace: {member.job_title}."))
    return found


def conflicts_detect_pure(reviewers, nominations) -> dict[tuple[int, int, str], str]:
    """{(nomination_id, reviewer user_id, kind): note} for every pair."""
    return {
        (nomination.nomination_id, reviewer.user_id, kind): note
        for nomination in nominations for reviewer in reviewers
        for kind, note in conflicts_between(reviewer, nomination)
    }
