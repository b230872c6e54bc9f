"""The award's documents: certificates (winner and finalists), the winning packet for the NEA, and the
redacted copies of letters staff upload for blind review. Registered from esp/portal.py."""

from django.db.models import Q

from esp.models import Nomination, ReviewAssignment
from mae_portal.documents import PDF, DocumentKind, register_document_kind
from mae_portal.permissions import is_awards_staff


def _staff_or_owner(user):
    return Q() if is_awards_staff(user) else Q(owner=user)


def _staff_only(user):
    return Q() if is_awards_staff(user) else Q(pk__in=[])


def _certificate(pk):
    nomination = (Nomination.objects.select_related("nominee", "cycle")
                  .filter(pk=pk, status__in=(Nomination.Status.WINNER, Nomination.Status.FINALIST)).first())
    if nomination is None or nomination.cycle.winner_confirmed_at is None:
        return None
    winner = nomination.status == Nomination.Status.WINNER
    return {"nomination": nomination, "cycle": nomination.cycle, "nominee": nomination.nominee, "winner": winner,
            "honour": f"{nomination.cycle.name} {nomination.cycle.year}" if winner
            else f"Finalist, {nomination.cycle.name} {nomination.cycle.year}"}


def _packet(pk):
    from esp.services.results import results_for

    nomination = (Nomination.objects.select_related("nominee__employer_district", "nominee__worksite",
                                                    "nominee__local", "nominee__career_field", "nominator",
                                                    "endorsed_by", "cycle")
                  .filter(pk=pk, status=Nomination.Status.WINNER).first())
    if nomination is None:
        return None
    cycle = nomination.cycle
    summary = {}
    for round in ReviewAssignment.Round:
        results = results_for(cycle, round)
        row = next((r for r in results.rows if r.nomination.pk == nomination.pk), None)
        summary[round.label] = {"row": row, "of": len(results.rows)}
    return {"nomination": nomination, "cycle": cycle, "nominee": nomination.nominee,
            "statements": nomination.statements.select_related("criterion").order_by("criterion__round",
                                                                                    "criterion__order"),
            "letters": nomination.letters.order_by("created_at"), "summary": summary,
            "criteria": cycle.criteria.order_by("round", "order")}


REVIEW_DOCUMENT_KINDS = (
    DocumentKind(
        name="award_certificate", label="ESP of the Year certificate", subject_model="esp.Nomination",
        template="esp/pdf/certificate.html", context=_certificate, visible_to=_staff_or_owner,
        title=lambda c: f"Certificate: {c['honour']}",
        download_name=lambda c: f"esp-of-the-year-{c['cycle'].year}-certificate-{c['nomination'].pk}.pdf",
    ),
    DocumentKind(
        name="award_packet", label="ESP of the Year packet for the NEA", subject_model="esp.Nomination",
        template="esp/pdf/packet.html", context=_packet, visible_to=_staff_only,
        title=lambda c: f"NEA packet: {c['cycle'].name} {c['cycle'].year}",
        download_name=lambda c: f"esp-of-the-year-{c['cycle'].year}-nea-packet.pdf",
    ),
    DocumentKind(
        name="award_letter_redacted", label="Redacted letter of support", subject_model="esp.SupportLetter",
        visible_to=_staff_only, upload_types=frozenset({PDF}),
    ),
)


def register_review_document_kinds():
    for kind in REVIEW_DOCUMENT_KINDS:
        register_document_kind(kind)
