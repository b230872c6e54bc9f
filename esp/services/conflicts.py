"""Conflicts of interest: found from the records (esp/conflicts.py's rules) and declared by reviewers.

A conflict, whatever its source, takes the reviewer off the nomination: they are never assigned (the
assignment services refuse), cannot open it (esp/rules.py), and an assignment made before the conflict was
known is removed, with the scores it held written into the audit entry."""

from django.db import transaction
from django.db.models import Exists, OuterRef

from esp.conflicts import NominationFacts, Person, ReviewerFacts, conflicts_detect_pure
from esp.models import Conflict, Nomination, ReviewAssignment, SupportLetter
from esp.selectors.review import award_reviewers
from esp.services.review_errors import ReviewError
from mae_portal.audit import audit_record

DETECTABLE = (Nomination.Status.SUBMITTED, Nomination.Status.SCREENED_IN, Nomination.Status.FINALIST)


def _person(member) -> Person:
    return Person(local_id=member.local_id, district_id=member.employer_district_id, worksite_id=member.worksite_id,
                  job_title=member.job_title or "")


def reviewer_facts(user) -> ReviewerFacts:
    member = getattr(user, "member", None)
    emails = {user.email.lower()} | ({member.email.lower()} if member is not None and member.email else set())
    return ReviewerFacts(user_id=user.pk, emails=frozenset(emails), member=_person(member) if member else None)


def nomination_facts(nominations) -> list[NominationFacts]:
    letters = {}
    for letter in SupportLetter.objects.filter(nomination__in=[n.pk for n in nominations]).only(
            "nomination_id", "writer_user_id", "writer_email"):
        users, emails = letters.setdefault(letter.nomination_id, (set(), set()))
        if letter.writer_user_id:
            users.add(letter.writer_user_id)
        if letter.writer_email:
            emails.add(letter.writer_email.lower())
    facts = []
    for nomination in nominations:
        nominee = nomination.nominee
        users, emails = letters.get(nomination.pk, (set(), set()))
        facts.append(NominationFacts(
            nomination_id=nomination.pk, nominee_user_id=nominee.user_id, nominee=_person(nominee),
            nominator_id=nomination.nominator_id, letter_writer_user_ids=frozenset(users),
            letter_writer_emails=frozenset(emails),
            names={"local": str(nominee.local) if nominee.local_id else "",
                   "district": nominee.employer_district.name if nominee.employer_district_id else "",
                   "worksite": nominee.worksite.name if nominee.worksite_id else ""}))
    return facts


@transaction.atomic
def conflicts_detect(*, cycle, actor=None) -> dict:
    """Find every records conflict between the award reviewers and the cycle's live nominations, and bring
    the stored ones in line: add what is new, remove what the records no longer show (a reviewer who moved
    worksite); declared conflicts are the reviewers' and stay. Idempotent: a second run changes nothing.
    Returns {"added", "removed", "assignments_removed"}."""
    nominations = list(Nomination.objects.filter(cycle=cycle, status__in=DETECTABLE)
                       .select_related("nominee__local", "nominee__employer_district", "nominee__worksite"))
    reviewers = list(award_reviewers())
    found = conflicts_detect_pure([reviewer_facts(user) for user in reviewers], nomination_facts(nominations))
    stored = {(c.nomination_id, c.reviewer_id, c.kind): c for c in Conflict.objects.filter(
        nomination__in=[n.pk for n in nominations], source=Conflict.Source.RECORDS)}
    reviewer_ids = {user.pk for user in reviewers}
    stale = [c.pk for key, c in stored.items() if key not in found and c.reviewer_id in reviewer_ids]
    Conflict.objects.filter(pk__in=stale).delete()
    new = [Conflict(nomination_id=n, reviewer_id=r, kind=kind, source=Conflict.Source.RECORDS, note=note[:300])
           for (n, r, kind), note in found.items() if (n, r, kind) not in stored]
    Conflict.objects.bulk_create(new, ignore_conflicts=True)  # a declared conflict of the same kind stands
    removed = _drop_conflicted_assignments(cycle=cycle, actor=actor)
    audit_record(actor=actor, action="esp.review.conflicts_detected", obj=cycle, subject=cycle,
                 changes={"added": len(new), "removed": len(stale), "assignments_removed": removed})
    return {"added": len(new), "removed": len(stale), "assignments_removed": removed}


@transaction.atomic
def conflict_declare(*, nomination, reviewer, kind: str, note: str = "") -> Conflict:
    """A reviewer declares a conflict (any kind, with a note); any assignment of theirs to it goes."""
    if kind not in Conflict.Kind.values:
        raise ReviewError("Choose what kind of conflict it is.")
    if nomination.status not in (*DETECTABLE, Nomination.Status.WINNER, Nomination.Status.NOT_SELECTED):
        raise ReviewError("That nomination is not up for review.")
    conflict, created = Conflict.objects.get_or_create(
        nomination=nomination, reviewer=reviewer, kind=kind,
        defaults={"source": Conflict.Source.DECLARED, "note": note[:300]})
    if created:
        audit_record(actor=reviewer, action="esp.review.conflict_declared", obj=conflict, subject=nomination.cycle,
                     changes={"nomination": nomination.pk, "kind": kind, "note": note[:300]})
        _drop_conflicted_assignments(cycle=nomination.cycle, actor=reviewer, nomination=nomination)
    return conflict


def _drop_conflicted_assignments(*, cycle, actor, nomination=None) -> int:
    conflicted = (ReviewAssignment.objects.filter(nomination__cycle=cycle)
                  .filter(Exists(Conflict.objects.filter(nomination=OuterRef("nomination"), reviewer=OuterRef("reviewer"))))
                  .select_related("reviewer", "review"))
    if nomination is not None:
        conflicted = conflicted.filter(nomination=nomination)
    conflicted = list(conflicted)
    for assignment in conflicted:
        review = getattr(assignment, "review", None)
        scores = {str(s.criterion_id): s.value for s in review.scores.all()} if review is not None else {}
        audit_record(actor=actor, action="esp.review.assignment_removed", obj=assignment, subject=cycle,
                     changes={"nomination": assignment.nomination_id, "reviewer": assignment.reviewer.email,
                              "round": assignment.round, "why": "conflict", "scores": scores})
        assignment.delete()
    return len(conflicted)
