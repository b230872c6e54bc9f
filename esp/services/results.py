"""Results and decisions: a round's totals (esp/results.py over the submitted reviews), the finalists, the
winner, certificates, the decision emails, and the winning packet for the NEA.

Decisions are services in one transaction each: statuses change, the audit records who decided what,
certificates and the packet are requested with document_request (PENDING rows built by Celery after the
commit), and the emails are queued with idempotency keys (written now, sent after the commit)."""

from django.db import transaction
from django.utils import timezone

from esp.models import Nomination, ReviewAssignment
from esp.results import ReviewScores, finalist_cut, round_results
from esp.selectors.review import round_criteria, submitted_reviews
from esp.services.review_errors import ReviewError
from mae_portal.audit import audit_record, model_update
from mae_portal.documents import document_request
from mae_portal.emails import send_email
from mae_portal.permissions import is_awards_staff

Status = Nomination.Status


def results_for(cycle, round=ReviewAssignment.Round.REVIEW):
    """The round's RoundResults, each row's `nomination` the Nomination itself (nominee, district loaded)."""
    criteria = round_criteria(cycle, round)
    weights = {c.pk: c.weight for c in criteria}
    reviews = [ReviewScores(nomination=n, reviewer=r, scores={c: v for c, v in scores.items() if c in weights})
               for n, r, scores in submitted_reviews(cycle, round)]
    reviews = [r for r in reviews if r.scores]
    statuses = (Status.SCREENED_IN, Status.FINALIST, Status.WINNER, Status.NOT_SELECTED) \
        if round == ReviewAssignment.Round.REVIEW else (Status.FINALIST, Status.WINNER)
    nominations = {n.pk: n for n in Nomination.objects.filter(cycle=cycle, status__in=statuses)
                   .select_related("nominee__employer_district")
                   .only("pk", "status", "cycle_id", "nominee__legal_first_name", "nominee__preferred_name",
                         "nominee__legal_last_name", "nominee__employer_district__name")}
    results = round_results([r for r in reviews if r.nomination in nominations], weights,
                            min_reviews=cycle.min_scores_for_normalising, nominations=list(nominations))
    for row in results.rows:
        row.nomination = nominations[row.nomination]
    return results


def finalist_suggestion(cycle, results):
    return finalist_cut([(row.nomination, row.normalised) for row in results.rows], cycle.finalist_count)


def _tell(template, nomination, stage, context=None):
    """The decision email to the nominee and the nominator (once each: idempotency keys)."""
    nominee = nomination.nominee
    to_nominee = nominee.email or (nominee.user.email if nominee.user_id else "")
    context = {"nomination": nomination, "cycle": nomination.cycle, "nominee": nominee, **(context or {})}
    sent = set()
    for role, to in (("nominee", to_nominee), ("nominator", nomination.nominator.email)):
        if to and to.lower() not in sent:
            sent.add(to.lower())
            send_email(template, to=to, context={**context, "role": role},
                       idempotency_key=f"esp-decision:{stage}:{nomination.pk}:{role}")


@transaction.atomic
def finalists_confirm(*, cycle, nominations, actor):
    """Name the finalists: exactly cycle.finalist_count of the nominations that passed screening (all of them
    when there are fewer). The others are not selected. Needs the review round closed."""
    cycle = type(cycle).objects.select_for_update().get(pk=cycle.pk)
    if cycle.review_closed_at is None:
        raise ReviewError("Close the review round before naming finalists.")
    if cycle.finalists_confirmed_at is not None:
        raise ReviewError("The finalists are already named.")
    pool = {n.pk: n for n in Nomination.objects.filter(cycle=cycle, status=Status.SCREENED_IN)
            .select_related("nominee__user", "nominator", "cycle")}
    chosen = [pool[n.pk] for n in nominations if n.pk in pool]
    wanted = min(cycle.finalist_count, len(pool))
    if len(chosen) != len(nominations) or len({n.pk for n in chosen}) != wanted:
        raise ReviewError(f"Choose exactly {wanted} finalist{'s' if wanted != 1 else ''} among the nominations "
                          "that passed screening.")
    chosen_ids = {n.pk for n in chosen}
    Nomination.objects.filter(pk__in=chosen_ids).update(status=Status.FINALIST)
    others = [n for pk, n in pool.items() if pk not in chosen_ids]
    Nomination.objects.filter(pk__in=[n.pk for n in others]).update(status=Status.NOT_SELECTED)
    model_update(instance=cycle, data={"finalists_confirmed_at": timezone.now(), "phase": cycle.Phase.INTERVIEWS},
                 actor=actor, action="esp.review.finalists_confirmed", subject=cycle)
    audit_record(actor=actor, action="esp.review.finalists_named", obj=cycle, subject=cycle,
                 changes={"finalists": sorted(chosen_ids), "not_selected": sorted(n.pk for n in others)})
    for nomination in chosen:
        _tell("esp-decision-finalist", nomination, "finalist")
    for nomination in others:
        _tell("esp-decision-not-selected", nomination, "not-finalist")
    return chosen


@transaction.atomic
def winner_confirm(*, cycle, nomination, actor):
    """Choose the winner among the finalists (after the interviews close): the cycle is decided, the
    certificates (winner and finalists) and the winning packet are requested, the emails queued."""
    cycle = type(cycle).objects.select_for_update().get(pk=cycle.pk)
    if cycle.finalists_confirmed_at is None:
        raise ReviewError("Name the finalists first.")
    if cycle.interviews_closed_at is None:
        raise ReviewError("Close the interview round before choosing the winner.")
    if cycle.winner_id is not None:
        raise ReviewError("The winner is already chosen.")
    finalists = {n.pk: n for n in Nomination.objects.filter(cycle=cycle, status=Status.FINALIST)
                 .select_related("nominee__user", "nominator", "cycle")}
    winner = finalists.get(nomination.pk)
    if winner is None:
        raise ReviewError("The winner is chosen among the finalists.")
    Nomination.objects.filter(pk=winner.pk).update(status=Status.WINNER)
    winner.status = Status.WINNER
    model_update(instance=cycle, data={"winner": winner, "winner_confirmed_at": timezone.now(),
                                       "phase": cycle.Phase.DECIDED},
                 actor=actor, action="esp.review.winner_confirmed", subject=cycle)
    for finalist in finalists.values():
        document_request(kind="award_certificate", subject=finalist, owner=finalist.nominee.user)
    document_request(kind="award_packet", subject=winner, owner=None)
    _tell("esp-decision-winner", winner, "winner")
    for finalist in finalists.values():
        if finalist.pk != winner.pk:
            _tell("esp-decision-not-selected", finalist, "finalist-not-winner", {"was_finalist": True})
    return winner


@transaction.atomic
def nea_contact_set(*, cycle, contact, actor):
    if not (contact.is_active and is_awards_staff(contact)):
        raise ReviewError("MAE's point of contact is a member of the awards staff.")
    return model_update(instance=cycle, data={"nea_contact": contact}, actor=actor,
                        action="esp.review.nea_contact_set", subject=cycle)


@transaction.atomic
def packet_mark_sent(*, cycle, actor, now=None):
    """Record that MAE's point of contact sent the winning packet to the NEA: only they may."""
    from mae_portal.documents import documents_of
    from mae_portal.models import StoredDocument

    if cycle.nea_contact_id is None or cycle.nea_contact_id != actor.pk:
        raise ReviewError("Only MAE's point of contact for the NEA sends the winning packet.")
    if cycle.winner_id is None or not documents_of(cycle.winner, kind="award_packet").filter(
            status=StoredDocument.Status.READY).exists():
        raise ReviewError("The winning packet is not ready yet.")
    if cycle.packet_sent_at is not None:
        raise ReviewError("The packet is already recorded as sent.")
    return model_update(instance=cycle, data={"packet_sent_at": now or timezone.now(), "packet_sent_by": actor},
                        actor=actor, action="esp.review.packet_sent", subject=cycle)
