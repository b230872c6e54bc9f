"""Decisions: finalists (ties at the cut chosen by staff), the interview round, the winner, certificates
(built PDFs naming the winner, opened by the nominee and staff only), decision emails once each, the NEA
packet (staff only; only the point of contact records it sent) and the cycle's audit page."""

import io

import pytest
from pypdf import PdfReader

from esp.models import Nomination
from esp.services.results import finalists_confirm, nea_contact_set, packet_mark_sent, winner_confirm
from esp.services.review import round_close
from esp.services.review_errors import ReviewError
from mae_portal.documents import document_build, documents_of, documents_visible_to
from mae_portal.models import AuditLog, EmailDelivery
from tests.esp.factories import AwardCycleFactory
from tests.esp.review_setup import nomination_for_review, reviewer_user, submit_review
from tests.factories import MemberFactory, UserFactory


def pdf_text(document):
    with document.file.open("rb") as handle:
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@pytest.fixture
def decided(world, member, awards):
    """Four nominations scored in review; Nominee1 and Nominee2 tie at the cut of 2."""
    cycle = AwardCycleFactory(phase="review", finalist_count=2)
    reviewers = [reviewer_user() for _ in range(2)]
    nominees = [MemberFactory(legal_first_name="Dana", legal_last_name=f"Nominee{i}", email=f"nominee{i}@example.net",
                              employer_district=world.district_b, local=world.local_b,
                              user=UserFactory(email=f"nominee{i}@example.org")) for i in range(4)]
    nominations = [nomination_for_review(cycle, nominator=member, nominee=nominee) for nominee in nominees]
    for reviewer in reviewers:
        for nomination, value in zip(nominations, [5, 3, 3, 1], strict=True):
            submit_review(nomination, reviewer, value)
    return cycle, nominations, reviewers


def test_finalists_need_the_round_closed_and_exactly_n(decided, awards):
    cycle, nominations, reviewers = decided
    with pytest.raises(ReviewError, match="Close the review round"):
        finalists_confirm(cycle=cycle, nominations=nominations[:2], actor=awards)
    round_close(cycle=cycle, round="review", actor=awards)
    with pytest.raises(ReviewError, match="exactly 2"):
        finalists_confirm(cycle=cycle, nominations=nominations[:3], actor=awards)


def test_the_whole_decision(decided, awards, client):
    cycle, nominations, reviewers = decided
    round_close(cycle=cycle, round="review", actor=awards)
    client.force_login(awards)
    page = client.get(f"/esp/awards/staff/review/cycles/{cycle.pk}/finalists/").content.decode()
    assert "tied at the cut" in page and "Dana Nominee1" in page and "Dana Nominee2" in page
    # Staff break the tie: Nominee2 goes through with Nominee0.
    response = client.post(f"/esp/awards/staff/review/cycles/{cycle.pk}/finalists/",
                           {"nominations": [nominations[0].pk, nominations[2].pk]})
    assert response.status_code == 302
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert [statuses[n.pk] for n in nominations] == ["finalist", "not_selected", "finalist", "not_selected"]
    assert EmailDelivery.objects.filter(template_name="esp-decision-finalist").count() == 4  # nominee + nominator each
    assert EmailDelivery.objects.filter(template_name="esp-decision-not-selected").count() == 4

    # The interview round: its own assignments and criteria.
    interviewer = reviewers[0]
    submit_review(nominations[0], interviewer, [3, 3], round="interview")
    submit_review(nominations[2], interviewer, [5, 4], round="interview")
    with pytest.raises(ReviewError, match="Close the interview round"):
        winner_confirm(cycle=cycle, nomination=nominations[2], actor=awards)
    round_close(cycle=cycle, round="interview", actor=awards)
    page = client.get(f"/esp/awards/staff/review/cycles/{cycle.pk}/results/?round=interview").content.decode()
    assert page.index("Dana Nominee2") < page.index("Dana Nominee0")  # interview scores decide the order

    # Choose, then confirm.
    url = f"/esp/awards/staff/review/cycles/{cycle.pk}/winner/"
    review = client.post(url, {"nomination": nominations[2].pk}).content.decode()
    assert "Check, then confirm" in review
    cycle.refresh_from_db()
    assert cycle.winner_id is None
    assert client.post(url, {"nomination": nominations[2].pk, "confirm": "1"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.winner_id == nominations[2].pk and cycle.phase == "decided"
    with pytest.raises(ReviewError, match="already chosen"):
        winner_confirm(cycle=cycle, nomination=nominations[0], actor=awards)

    # Certificates: one per finalist, built by the document task, the winner's naming the winner.
    winner_certificate = documents_of(nominations[2], kind="award_certificate").get()
    finalist_certificate = documents_of(nominations[0], kind="award_certificate").get()
    assert not documents_of(nominations[1], kind="award_certificate").exists()
    text = pdf_text(document_build(document_id=winner_certificate.pk))
    assert "Dana Nominee2" in text and f"MAE ESP of the Year {cycle.year}" in text
    assert "Finalist" in pdf_text(document_build(document_id=finalist_certificate.pk))
    winner_user = nominations[2].nominee.user
    assert set(documents_visible_to(winner_user).filter(kind="award_certificate")) == {winner_certificate}
    assert not documents_visible_to(nominations[0].nominator).filter(kind="award_certificate").exists()
    client.force_login(winner_user)
    assert client.get(f"/documents/{winner_certificate.pk}/").status_code == 200
    assert client.get(f"/documents/{finalist_certificate.pk}/").status_code == 404

    # Emails once each, whatever is asked again.
    assert EmailDelivery.objects.filter(template_name="esp-decision-winner").count() == 2
    assert set(EmailDelivery.objects.filter(template_name="esp-decision-winner").values_list("to", flat=True)) == {
        "nominee2@example.net", nominations[2].nominator.email}

    # The packet: staff only; the point of contact records it sent.
    packet = documents_of(nominations[2], kind="award_packet").get()
    packet_text = pdf_text(document_build(document_id=packet.pk))
    assert "Dana Nominee2" in packet_text and "Scores summary" in packet_text
    assert not documents_visible_to(winner_user).filter(kind="award_packet").exists()
    assert documents_visible_to(awards).filter(kind="award_packet").exists()
    with pytest.raises(ReviewError, match="Only MAE's point of contact"):
        packet_mark_sent(cycle=cycle, actor=awards)
    other_staff = UserFactory(groups=["Awards staff"])
    nea_contact_set(cycle=cycle, contact=other_staff, actor=awards)
    with pytest.raises(ReviewError, match="Only MAE's point of contact"):
        packet_mark_sent(cycle=cycle, actor=awards)
    client.force_login(awards)
    page = client.get(f"/esp/awards/staff/review/cycles/{cycle.pk}/packet/").content.decode()
    assert "Only MAE's point of contact sends the packet" in page and "I sent the packet" not in page
    packet_mark_sent(cycle=cycle, actor=other_staff)
    cycle.refresh_from_db()
    assert cycle.packet_sent_by == other_staff and cycle.packet_sent_at is not None

    # Every decision is on the cycle's audit page.
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"esp.review.round_closed", "esp.review.finalists_named", "esp.review.winner_confirmed",
            "esp.review.packet_sent", "esp.review.nea_contact_set"} <= actions
    page = client.get(f"/esp/awards/staff/review/cycles/{cycle.pk}/audit/").content.decode()
    assert "ESP of the Year winner confirmed" in page and "Winning packet sent to the NEA" in page


def test_the_point_of_contact_is_awards_staff(decided, awards, member):
    cycle, _, _ = decided
    with pytest.raises(ReviewError):
        nea_contact_set(cycle=cycle, contact=member, actor=awards)
