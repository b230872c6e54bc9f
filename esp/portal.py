"""What the ESP app plugs into the core (mae_portal/registry.py); called from EspConfig.ready()."""

from mae_portal import registry
from mae_portal.permissions import Groups


def register() -> None:
    registry.register_nav_link("esp:career_fields", label="ESP careers", order=30)
    registry.register_panel("home.cards", "esp", template="esp/home/_cards.html", order=30, context=_home_cards)
    # Career fields are members' reference data; awards staff keep their descriptions up to date.
    registry.register_group_permissions(Groups.AWARDS_STAFF, {"members.careerfield": ["view", "change"]})
    register_content()
    register_nominations()
    _register_review()


REVIEW_AUDIT_ACTIONS = {
    "esp.review.conflicts_detected": "Award conflicts detected from the records",
    "esp.review.conflict_declared": "Award conflict declared by a reviewer",
    "esp.review.assignment_added": "Award reviewer assigned",
    "esp.review.assignment_removed": "Award reviewer unassigned",
    "esp.review.assignments_auto": "Award reviewers assigned automatically",
    "esp.review.scores_saved": "Award scores saved",
    "esp.review.submitted": "Award review submitted",
    "esp.review.blind_settings_changed": "Blind-review settings changed",
    "esp.review.statement_redacted": "Statement redacted for blind review",
    "esp.review.letter_redacted": "Redacted letter uploaded",
    "esp.review.round_closed": "Award review round closed",
    "esp.review.finalists_confirmed": "Award finalists confirmed",
    "esp.review.finalists_named": "Award finalists named",
    "esp.review.winner_confirmed": "ESP of the Year winner confirmed",
    "esp.review.nea_contact_set": "NEA point of contact set",
    "esp.review.packet_sent": "Winning packet sent to the NEA",
}


def _is_award_reviewer(user):
    from mae_portal.permissions import is_award_reviewer

    return user.is_authenticated and is_award_reviewer(user)


def _is_awards_staff(user):
    from mae_portal.permissions import is_awards_staff

    return user.is_authenticated and is_awards_staff(user)


def _nominations_demo(*, today, options):
    from esp.demo_nominations import nominations_demo_loader

    return nominations_demo_loader(today=today, options=options)


def _review_demo(*, today, options):
    from esp.demo_review import review_demo_loader

    return review_demo_loader(today=today, options=options)


def _register_review() -> None:
    """Review, results and decisions (esp/views_review*.py, esp/services/{conflicts,assignment,review,results}.py)."""
    from celery.schedules import crontab

    from esp.review_documents import register_review_document_kinds
    from mae_portal.audit import register_audit_actions

    register_audit_actions(REVIEW_AUDIT_ACTIONS)
    register_review_document_kinds()
    registry.register_nav_link("esp:review_queue", label="My reviews", order=32, visible=_is_award_reviewer)
    registry.register_nav_link("esp:staff_review_cycles", label="Award review", order=33, visible=_is_awards_staff)
    registry.register_demo_loader("esp-nominations", _nominations_demo, order=80)
    registry.register_demo_loader("esp-review", _review_demo, order=90)
    # 7:30 a.m. Central: remind reviewers with unfinished reviews (each at most every few days).
    registry.register_periodic_job("esp-review-reminders", task="esp.tasks.send_review_reminders",
                                   schedule=crontab(hour=7, minute=30))


def _home_cards(request):
    from esp.selectors.content import current_public_cycle, latest_stories

    return {"esp_stories": list(latest_stories(3)), "esp_cycle": current_public_cycle()}


def register_content() -> None:
    """Career fields, ESP pages, spotlight stories, award cycles (the content helper's part)."""
    from django.db.models import Q

    from mae_portal.audit import register_audit_actions, register_audit_subject
    from mae_portal.documents import JPEG, PNG, DocumentKind, register_document_kind
    from mae_portal.permissions import is_awards_staff

    register_audit_actions({
        "esp.page_updated": "ESP page changed",
        "esp.story_created": "Spotlight story written",
        "esp.story_updated": "Spotlight story changed",
        "esp.story_photo_set": "Spotlight story photo changed",
        "esp.story_published": "Spotlight story published",
        "esp.story_unpublished": "Spotlight story unpublished",
        "esp.cycle_created": "Award cycle opened",
        "esp.cycle_updated": "Award cycle changed",
        "esp.criterion_updated": "Award criterion changed",
        "esp.cycle_phase_set": "Award cycle phase changed",
    })
    from esp.models import Criterion

    register_audit_subject(Criterion, lambda criterion: criterion.cycle)
    # A story's photo: awards staff open it through the download door (the preview of a draft); the public
    # sees it only through esp.views.story_photo, while the story is published.
    register_document_kind(DocumentKind(
        name="esp_story_photo", label="Spotlight story photo", subject_model="esp.SpotlightStory",
        upload_types=frozenset({JPEG, PNG}),
        visible_to=lambda user: Q(pk__isnull=False) if is_awards_staff(user) else Q(pk__isnull=True),
    ))
    from esp import tasks_content  # noqa: F401 - registers the task in every process (not a tasks.py module)
    from esp.selectors.content import MEMBER_COUNT_REFRESH_SECONDS

    registry.register_periodic_job("esp-career-field-counts", task="esp.tasks_content.refresh_career_field_counts",
                                   schedule=MEMBER_COUNT_REFRESH_SECONDS)
    registry.register_dashboard_panel("esp.content", template="esp/staff/_dashboard.html",
                                      visible=lambda user: user.is_authenticated and is_awards_staff(user), order=60)
    registry.register_group_permissions(Groups.AWARDS_STAFF, {
        "esp.esppage": ["view", "change"], "esp.careerfieldresource": ["view", "add", "change", "delete"],
        "esp.spotlightstory": ["view"],
    })


def _has_nominations(user) -> bool:
    from esp.selectors.nominations import involvement

    return bool(involvement(user)["made"])


def _nominations_panel(request):
    from esp.selectors.nominations import involvement, nominations_awaiting_endorsement, nominations_of_nominee_list

    user, seen = request.user, involvement(request.user)
    return {
        "as_nominee": list(nominations_of_nominee_list(user).filter(status="draft")) if seen["nominee"] else [],
        "to_endorse": list(nominations_awaiting_endorsement(user)) if seen["endorse"] else [],
        "made": seen["made"],
    }


def _nominations_panel_visible(user) -> bool:
    from esp.selectors.nominations import involvement

    seen = involvement(user)
    return bool(seen["made"] or seen["nominee"] or seen["endorse"])


def _award_material_scope(user):
    """Letters of support: awards staff, and the nominator and nominee of the letter's nomination. Reviewers
    get them through the review pages, which check their assignment."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField, Q
    from django.db.models.functions import Cast

    from esp.models import SupportLetter
    from mae_portal.permissions import is_awards_staff

    if is_awards_staff(user):
        return Q(pk__isnull=False)
    letters = (SupportLetter.objects.filter(Q(nomination__nominator=user) | Q(nomination__nominee__user=user))
               .annotate(key=Cast("pk", CharField())).values("key"))
    return Q(subject_type=ContentType.objects.get_for_model(SupportLetter), subject_id__in=letters)


def register_nominations() -> None:
    """Nominating, letters, endorsement and screening (esp/views_nominations*.py)."""
    from esp.services.nominations import AUDIT_ACTIONS, LETTER_KIND
    from mae_portal.audit import register_audit_actions
    from mae_portal.documents import DOCX, PDF, DocumentKind, register_document_kind
    from mae_portal.permissions import is_awards_staff

    register_audit_actions(AUDIT_ACTIONS)
    register_document_kind(DocumentKind(name=LETTER_KIND, label="Letter of support", subject_model="esp.SupportLetter",
                                        visible_to=_award_material_scope, upload_types=frozenset({PDF, DOCX})))
    registry.register_nav_link("esp:my_nominations", label="My nominations", order=35, visible=_has_nominations)
    registry.register_nav_link("esp:screening_cycles", label="Screening", order=34, visible=is_awards_staff)
    registry.register_dashboard_panel("esp-nominations", template="esp/nominations/dashboard/_nominations.html",
                                      context=_nominations_panel, visible=_nominations_panel_visible, order=30)
    registry.register_group_permissions(Groups.AWARDS_STAFF, {
        "esp.awardcycle": ["view", "add", "change"], "esp.criterion": ["view", "add", "change", "delete"],
        "esp.nomination": ["view"], "esp.supportletter": ["view"], "esp.nominationstatement": ["view"],
    })
