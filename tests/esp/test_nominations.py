"""Nominating, through the services and the pages: start (with eligibility), autosave, consent, statements,
endorsement, submission (its checklist, the deadline in Mississippi time, a double submit), withdrawal,
screening. Helpers here (`paid_years`, `open_cycle`, `complete`) are shared by the other nomination tests."""

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.postgresql.psycopg_any import DateRange
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from esp.models import AwardCycle, Nomination
from esp.services import nominations as services
from esp.services.nominations import NominationError
from mae_portal.models import AuditLog, EmailDelivery
from members import clock, dues
from members.models import MembershipCategory, MembershipTerm, Payment
from tests.esp.factories import AwardCycleFactory
from tests.factories import LocalOfficerFactory, MemberFactory, UserFactory, career_field

CHICAGO = ZoneInfo("America/Chicago")


def paid_years(member, years, *, category="esp-full-time"):
    """Paid terms for each membership year in `years` (whole years, paid by check)."""
    cat = MembershipCategory.objects.get(code=category)
    for y in years:
        start, end = dues.membership_year_bounds(y)
        term = MembershipTerm.objects.create(
            member=member, category=cat, membership_year=y, period=DateRange(start, end + timedelta(days=1)),
            local_share=Decimal("15"), state_share=Decimal("190"), national_share=Decimal("129"),
            amount_due=Decimal("334"))
        Payment.objects.create(member=member, term=term, amount=Decimal("334"), method="check", status="succeeded",
                               installment_number=1, idempotency_key=str(uuid.uuid4()),
                               paid_at=timezone.make_aware(datetime(y, 9, 2, 9, 0)))
    return member


def this_year():
    return dues.membership_year_for(clock.today())


def eligible(member):
    y = this_year()
    return paid_years(member, [y - 2, y - 1, y])


def open_cycle(**kwargs):
    """A cycle whose nominations window is open now (the real clock): opened yesterday, closes in a month."""
    now = timezone.now()
    return AwardCycleFactory(nominations_open_at=now - timedelta(days=1), nominations_close_at=now + timedelta(days=30),
                             **kwargs)


def letter_pdf() -> bytes:
    return HTML(string="<p>She is the best bus driver in Lee County.</p>").write_pdf()


def pdf_file(name="letter.pdf", data=None):
    return SimpleUploadedFile(name, data if data is not None else letter_pdf(), content_type="application/pdf")


def complete(nomination, *, president, now=None):
    """Everything a nomination needs, through the services: consent, five statements, letters, endorsement."""
    now = now or timezone.now()
    services.nomination_request_consent(nomination=nomination, actor=nomination.nominator, now=now)
    services.nomination_consent(nomination=nomination, consent=True, actor=None, now=now)
    for criterion in nomination.cycle.criteria.filter(round="review"):
        services.statement_save(nomination=nomination, criterion=criterion, text=f"I serve with care. {criterion.name}.",
                                actor=None, now=now)
    for n in range(nomination.cycle.letters_required):
        services.letter_upload(nomination=nomination, file=pdf_file(), actor=nomination.nominator, now=now,
                               writer_name=f"Writer {n}")
    services.nomination_endorse(nomination=nomination, actor=president, text="Our local supports her.", now=now)
    return nomination


@pytest.fixture
def nominee(world):
    """An ESP member of local_a with three paid years and an account."""
    user = UserFactory(email="gloria.ivy@example.org", first_name="Gloria", last_name="Ivy")
    record = MemberFactory(user=user, legal_first_name="Gloria", legal_last_name="Ivy", email=user.email,
                           employer_district=world.district_a, local=world.local_a)
    return eligible(record)


@pytest.fixture
def cycle(world):
    return open_cycle()


# --- Start and eligibility -----------------------------------------------------------------------------------


def test_start_stores_eligibility_and_audits(cycle, nominee, member):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    assert nomination.status == Nomination.Status.DRAFT
    assert nomination.eligibility["passed"] is True
    assert [r["rule"] for r in nomination.eligibility["rules"]] == ["active_esp", "membership_years", "not_retired"]
    assert AuditLog.objects.filter(action="esp.nomination_started", subject_id=str(nomination.pk)).count() == 1


def test_start_with_a_failed_check_keeps_the_draft_and_says_why(cycle, world, member):
    y = this_year()
    two_years = paid_years(MemberFactory(local=world.local_a), [y - 1, y])
    nomination = services.nomination_start(cycle=cycle, nominee=two_years, nominator=member, now=timezone.now(),
                                           today=clock.today())
    rule = next(r for r in nomination.eligibility["rules"] if r["rule"] == "membership_years")
    assert nomination.eligibility["passed"] is False and rule["passed"] is False
    assert rule["why"] == f"2 membership years on record ({dues.year_label(y - 1)}, {dues.year_label(y)}); the award needs 3."


def test_start_refuses_oneself_and_a_second_live_nomination(cycle, nominee, member, leader):
    with pytest.raises(NominationError, match="cannot nominate yourself"):
        services.nomination_start(cycle=cycle, nominee=nominee, nominator=nominee.user, now=timezone.now(),
                                  today=clock.today())
    first = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(), today=clock.today())
    with pytest.raises(NominationError, match="already been nominated"):
        services.nomination_start(cycle=cycle, nominee=nominee, nominator=leader, now=timezone.now(), today=clock.today())
    services.nomination_withdraw(nomination=first, actor=member, now=timezone.now())
    again = services.nomination_start(cycle=cycle, nominee=nominee, nominator=leader, now=timezone.now(), today=clock.today())
    assert again.pk != first.pk


def test_submission_rechecks_eligibility_and_refuses_with_the_rule(cycle, nominee, member, leader):
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                                    today=clock.today()), president=leader)
    # Since the start, this year's term was cancelled: no longer an active member.
    MembershipTerm.objects.filter(member=nominee, membership_year=this_year()).update(cancelled_at=timezone.now())
    outcome = services.nomination_submit(nomination=nomination, actor=member, now=timezone.now(), today=clock.today())
    nomination.refresh_from_db()
    assert not outcome.submitted and nomination.status == Nomination.Status.DRAFT
    assert any(p.startswith("Eligibility: No membership covers") for p in outcome.problems), outcome.problems
    assert nomination.eligibility["passed"] is False  # stored, although the submission was refused
    assert nomination.eligibility["rules"][0]["passed"] is False


# --- Submission: checklist, deadline, double submit ------------------------------------------------------------


def test_checklist_says_what_is_missing(cycle, nominee, member, leader):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    outcome = services.nomination_submit(nomination=nomination, actor=member, now=timezone.now(), today=clock.today())
    assert not outcome.submitted
    assert outcome.problems == [
        "The nominee's consent: Not asked yet.",
        "The nominee's statements: 0 of 5 written.",
        "Letters of support: 0 of 2 received.",
        "The local president's endorsement: Not yet.",
    ]
    assert EmailDelivery.objects.filter(template_name="esp-nomination-submitted").count() == 0


def test_submit_once_even_when_asked_twice(cycle, nominee, member, leader):
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                                    today=clock.today()), president=leader)
    first = services.nomination_submit(nomination=nomination, actor=member, now=timezone.now(), today=clock.today())
    second = services.nomination_submit(nomination=nomination, actor=member, now=timezone.now(), today=clock.today())
    assert first.submitted and not second.submitted and second.already
    assert AuditLog.objects.filter(action="esp.nomination_submitted").count() == 1
    assert EmailDelivery.objects.filter(template_name="esp-nomination-submitted").count() == 2  # nominator, nominee


def test_double_submit_through_the_page(client, cycle, nominee, member, leader):
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                                    today=clock.today()), president=leader)
    client.force_login(member)
    url = reverse("esp:nomination_submit", args=[nomination.pk])
    assert client.post(url).status_code == 302
    response = client.post(url, follow=True)
    assert "submitted already" in response.content.decode()
    assert AuditLog.objects.filter(action="esp.nomination_submitted").count() == 1
    assert EmailDelivery.objects.filter(template_name="esp-nomination-submitted", to=member.email).count() == 1


# Nominations close at 23:59 on January 31, 2027, Mississippi time (CST, UTC-6): the close minute is the last
# moment a submission is in time (inclusive); the next second is late.
CLOSE = datetime(2027, 1, 31, 23, 59, tzinfo=CHICAGO)
DEADLINE_TABLE = [
    (datetime(2027, 1, 31, 23, 58, 59, tzinfo=CHICAGO), True),
    (datetime(2027, 1, 31, 23, 59, 0, tzinfo=CHICAGO), True),
    (datetime(2027, 1, 31, 23, 59, 1, tzinfo=CHICAGO), False),
    (datetime(2027, 2, 1, 0, 0, tzinfo=CHICAGO), False),
    (datetime(2027, 2, 1, 5, 59, tzinfo=ZoneInfo("UTC")), True),  # = 23:59 CST
    (datetime(2027, 2, 1, 6, 0, tzinfo=ZoneInfo("UTC")), False),  # = 00:00 CST
    (datetime(2027, 1, 31, 23, 59, tzinfo=ZoneInfo("UTC")), True),  # 17:59 in Mississippi: hours to go
    (datetime(2026, 12, 1, 7, 59, tzinfo=CHICAGO), False),  # before the window opens at 8:00
    (datetime(2026, 12, 1, 14, 0, tzinfo=ZoneInfo("UTC")), True),  # = 8:00 CST, the opening minute
]


@pytest.mark.parametrize("now,in_time", DEADLINE_TABLE, ids=[f"{n.isoformat()}" for n, _ in DEADLINE_TABLE])
def test_deadline_table_in_mississippi_time(world, nominee, member, leader, now, in_time):
    cycle = AwardCycleFactory(nominations_open_at=datetime(2026, 12, 1, 8, 0, tzinfo=CHICAGO), nominations_close_at=CLOSE)
    early = datetime(2027, 1, 10, 12, 0, tzinfo=CHICAGO)
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=early,
                                                    today=clock.today()), president=leader, now=early)
    outcome = services.nomination_submit(nomination=nomination, actor=member, now=now, today=clock.today())
    nomination.refresh_from_db()
    assert outcome.submitted is in_time
    assert nomination.status == (Nomination.Status.SUBMITTED if in_time else Nomination.Status.DRAFT)
    if not in_time:
        message = outcome.problems[0]
        assert message in ("Nominations closed on January 31, 2027 at 11:59 PM Mississippi time.",
                           "Nominations open on December 1, 2026 at 8:00 AM Mississippi time.")


def test_deadline_in_summer_time_uses_the_cdt_offset(world, nominee, member, leader):
    """A cycle closing in July: Mississippi is on CDT (UTC-5), so 23:59 CDT is 04:59 UTC."""
    cycle = AwardCycleFactory(nominations_open_at=datetime(2027, 6, 1, tzinfo=CHICAGO),
                              nominations_close_at=datetime(2027, 7, 15, 23, 59, tzinfo=CHICAGO))
    early = datetime(2027, 7, 1, 12, 0, tzinfo=CHICAGO)
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=early,
                                                    today=clock.today()), president=leader, now=early)
    late = services.nomination_submit(nomination=nomination, actor=member, now=datetime(2027, 7, 16, 5, 0, tzinfo=ZoneInfo("UTC")),
                                      today=clock.today())
    assert not late.submitted and "July 15, 2027 at 11:59 PM" in late.problems[0]
    ok = services.nomination_submit(nomination=nomination, actor=member,
                                    now=datetime(2027, 7, 16, 4, 59, tzinfo=ZoneInfo("UTC")), today=clock.today())
    assert ok.submitted


def test_the_page_refuses_a_late_submission_with_a_message(client, world, nominee, member, leader):
    cycle = open_cycle()
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                                    today=clock.today()), president=leader)
    AwardCycle.objects.filter(pk=cycle.pk).update(nominations_close_at=timezone.now() - timedelta(minutes=1))
    client.force_login(member)
    response = client.post(reverse("esp:nomination_submit", args=[nomination.pk]), follow=True)
    assert "Nominations closed on" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.DRAFT


# --- Autosave ----------------------------------------------------------------------------------------------------


def test_autosave_saves_and_answers_with_the_time(client, cycle, nominee, member):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    client.force_login(member)
    url = reverse("esp:nomination_autosave", args=[nomination.pk])
    response = client.post(url, {"nominator_statement": "She drives route 12."}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.nominator_statement == "She drives route 12."
    # The draft survives closing the browser: a new session finds it.
    client.logout()
    client.force_login(member)
    page = client.get(reverse("esp:nomination_detail", args=[nomination.pk])).content.decode()
    assert "She drives route 12." in page
    assert 'data-hx-trigger="input changed delay:1s"' in page


def test_autosave_keeps_data_on_bad_input(client, cycle, nominee, member):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    client.force_login(member)
    url = reverse("esp:nomination_autosave", args=[nomination.pk])
    client.post(url, {"nominator_statement": "Kept text."})
    response = client.post(url, {"nominator_statement": "x" * (services.MAX_TEXT_CHARS + 1)})
    assert response.status_code == 200 and "Not saved" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.nominator_statement == "Kept text."
    # Without JavaScript, the Save button: the same refusal next to the field, what was typed still in the box.
    response = client.post(reverse("esp:nomination_detail", args=[nomination.pk]),
                           {"nominator_statement": "y" * (services.MAX_TEXT_CHARS + 1)})
    body = response.content.decode()
    assert response.status_code == 200 and 'id="id_nominator_statement-error"' in body and "y" * 200 in body
    nomination.refresh_from_db()
    assert nomination.nominator_statement == "Kept text."
    # A NUL character is refused by the portal before the view (400), and nothing changes.
    assert client.post(url, {"nominator_statement": "bad\x00"}).status_code == 400
    nomination.refresh_from_db()
    assert nomination.nominator_statement == "Kept text."


def test_statement_over_the_word_limit_is_kept_with_an_error_next_to_it(client, cycle, nominee, member):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    services.nomination_consent(nomination=nomination, consent=True, actor=None, now=timezone.now())
    criteria = list(cycle.criteria.filter(round="review"))
    url = reverse("esp:nominee_statements_token", args=[nomination.consent_token])
    long_text = "word " * (cycle.statement_max_words + 1)
    data = {f"criterion_{c.pk}": "Short." for c in criteria} | {f"criterion_{criteria[0].pk}": long_text}
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_criterion_{criteria[0].pk}-error"' in body and "501 words: the limit is 500" in body
    assert nomination.statements.get(criterion=criteria[0]).text.strip() == long_text.strip()  # kept, not lost
    autosave = client.post(reverse("esp:nominee_autosave_token", args=[nomination.consent_token]), data)
    assert "over the 500-word limit" in autosave.content.decode()
    outcome = services.nomination_submit(nomination=nomination, actor=member, now=timezone.now(), today=clock.today())
    assert any("over the 500-word limit: Professional Practice" in p for p in outcome.problems)


# --- Consent, endorsement, screening ---------------------------------------------------------------------------


def test_consent_by_the_emailed_link(client, cycle, nominee, member):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    client.force_login(member)
    client.post(reverse("esp:nomination_request_consent", args=[nomination.pk]))
    client.post(reverse("esp:nomination_request_consent", args=[nomination.pk]))  # asked twice: one email
    email = EmailDelivery.objects.get(template_name="esp-nomination-consent")
    assert email.to == nominee.email
    link = reverse("esp:nominee_respond_token", args=[nomination.consent_token])
    assert link in email.body_text
    client.logout()
    assert client.get(link).status_code == 200
    response = client.post(link, {"answer": "consent"})
    assert response.status_code == 302 and response["Location"].endswith("/statements/")
    nomination.refresh_from_db()
    assert nomination.consented_at and not nomination.consent_declined_at
    client.post(link, {"answer": "decline"})
    nomination.refresh_from_db()
    assert nomination.consent_declined_at and not nomination.consented_at
    actions = list(AuditLog.objects.filter(subject_id=str(nomination.pk), action__startswith="esp.consent")
                   .order_by("created_at", "id").values_list("action", flat=True))
    assert actions == ["esp.consent_requested", "esp.consent_given", "esp.consent_declined"]
    assert EmailDelivery.objects.filter(template_name="esp-nomination-consent-answer", to=member.email).count() == 2


def test_only_the_president_endorses(client, cycle, nominee, member, leader, world):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    secretary = UserFactory(groups=["Local leaders"])
    LocalOfficerFactory(local=world.local_a, user=secretary, role="secretary")
    with pytest.raises(NominationError, match="Only the president"):
        services.nomination_endorse(nomination=nomination, actor=secretary, text="Yes", now=timezone.now())
    client.force_login(secretary)
    assert client.get(reverse("esp:nomination_endorse", args=[nomination.pk])).status_code == 403
    client.force_login(leader)
    url = reverse("esp:nomination_endorse", args=[nomination.pk])
    assert client.post(url, {"text": "We support her."}).status_code == 200  # the confirmation box is required
    assert client.post(url, {"text": "We support her.", "confirm": "on"}).status_code == 302
    nomination.refresh_from_db()
    assert nomination.endorsed_by == leader and nomination.endorsement_text == "We support her."


def test_screening_note_reaches_the_nominator(client, cycle, nominee, member, leader, awards):
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                                    today=clock.today()), president=leader)
    services.nomination_submit(nomination=nomination, actor=member, now=timezone.now(), today=clock.today())
    client.force_login(awards)
    url = reverse("esp:screening_detail", args=[cycle.year, nomination.pk])
    assert client.post(url, {"decision": "fail"}).status_code == 200  # a fail needs a note
    response = client.post(url, {"decision": "fail", "note": "The letters are from the same person."})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.SCREENED_OUT
    email = EmailDelivery.objects.get(template_name="esp-nomination-screened")
    assert email.to == member.email and "The letters are from the same person." in email.body_text
    client.force_login(member)
    page = client.get(reverse("esp:nomination_detail", args=[nomination.pk])).content.decode()
    assert "The letters are from the same person." in page and "Did not pass screening" in page


def test_recheck_stores_todays_result(client, cycle, nominee, member, leader, awards):
    nomination = complete(services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                                    today=clock.today()), president=leader)
    services.nomination_submit(nomination=nomination, actor=member, now=timezone.now(), today=clock.today())
    MembershipTerm.objects.filter(member=nominee).update(
        category=MembershipCategory.objects.get(code="retired"))
    client.force_login(awards)
    client.post(reverse("esp:screening_recheck", args=[cycle.year, nomination.pk]))
    nomination.refresh_from_db()
    assert nomination.eligibility["passed"] is False
    assert next(r for r in nomination.eligibility["rules"] if r["rule"] == "not_retired")["passed"] is False
    page = client.get(reverse("esp:screening_list", args=[cycle.year])).content.decode()
    assert "Not eligible" in page and "is a retired membership" in page


# --- Finding the nominee ---------------------------------------------------------------------------------------


def test_a_member_finds_the_nominee_only_by_number_or_email_with_the_last_name(client, cycle, nominee, member):
    client.force_login(member)
    url = reverse("esp:nominate_start", args=[cycle.year])
    wrong = client.post(url, {"how": "lookup", "lookup-identifier": str(nominee.member_number), "lookup-last_name": "Smith"})
    assert "No MAE member matches" in wrong.content.decode() and not Nomination.objects.exists()
    partial = client.post(url, {"how": "lookup", "lookup-identifier": "gloria", "lookup-last_name": "Ivy"})
    assert "No MAE member matches" in partial.content.decode()
    found = client.post(url, {"how": "lookup", "lookup-identifier": "GLORIA.IVY@example.org", "lookup-last_name": "ivy"})
    nomination = Nomination.objects.get()
    assert found.status_code == 302 and found["Location"] == reverse("esp:nomination_detail", args=[nomination.pk])
    assert nomination.nominee == nominee and nomination.nominator == member


def test_lookups_that_find_nobody_are_limited(client, cycle, nominee, member):
    client.force_login(member)
    url = reverse("esp:nominate_start", args=[cycle.year])
    for n in range(10):
        client.post(url, {"how": "lookup", "lookup-identifier": str(900000 + n), "lookup-last_name": "Ivy"})
    blocked = client.post(url, {"how": "lookup", "lookup-identifier": str(nominee.member_number), "lookup-last_name": "Ivy"})
    assert "Too many lookups" in blocked.content.decode() and not Nomination.objects.exists()


def test_a_leader_picks_from_their_own_locals_esp_members_only(client, cycle, nominee, leader, world):
    teacher = MemberFactory(local=world.local_a, legal_last_name="Teacherson", career_field=career_field("teaching"))
    other_local = MemberFactory(local=world.local_b, legal_last_name="Greenwood")
    client.force_login(leader)
    url = reverse("esp:nominate_start", args=[cycle.year])
    page = client.get(url).content.decode()
    assert "Ivy" in page and "Greenwood" not in page and "Teacherson" not in page
    refused = client.post(url, {"how": "pick", "pick-nominee": other_local.pk})
    assert refused.status_code == 200 and not Nomination.objects.exists()
    assert client.post(url, {"how": "pick", "pick-nominee": nominee.pk}).status_code == 302
    assert Nomination.objects.get().nominee == nominee
    assert teacher.pk  # on file, but not an ESP member: not offered


def test_start_page_before_the_window_opens(client, world, member):
    cycle = AwardCycleFactory(nominations_open_at=timezone.now() + timedelta(days=2),
                              nominations_close_at=timezone.now() + timedelta(days=30))
    client.force_login(member)
    page = client.get(reverse("esp:nominate_start", args=[cycle.year])).content.decode()
    assert "Nominations open on" in page and "lookup-identifier" not in page


def test_statements_wait_for_consent(client, cycle, nominee, member):
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    response = client.get(reverse("esp:nominee_statements_token", args=[nomination.consent_token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("esp:nominee_respond_token", args=[nomination.consent_token])
    with pytest.raises(NominationError, match="after agreeing"):
        services.statement_save(nomination=nomination, criterion=cycle.criteria.first(), text="x", actor=None,
                                now=timezone.now())


def test_dashboard_panels_and_the_nav_link(client, cycle, nominee, member, leader):
    client.force_login(member)
    assert "My nominations" not in client.get(reverse("dashboard")).content.decode()  # none yet: no link
    nomination = services.nomination_start(cycle=cycle, nominee=nominee, nominator=member, now=timezone.now(),
                                           today=clock.today())
    page = client.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("esp:my_nominations")}"' in page and "My nominations" in page
    # The nominee, signed in, answers from their dashboard.
    client.force_login(nominee.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("esp:nominee_respond", args=[nomination.pk]) in page and "answer the nomination" in page
    assert client.get(reverse("esp:nominee_respond", args=[nomination.pk])).status_code == 200
    # The president sees it waiting for an endorsement.
    client.force_login(leader)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("esp:nomination_endorse", args=[nomination.pk]) in page
