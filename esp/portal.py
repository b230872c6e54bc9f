"""What the ESP app plugs into the core (mae_portal/registry.py); called from EspConfig.ready()."""

from mae_portal import registry
from mae_portal.permissions import Groups


def register() -> None:
    registry.register_nav_link("esp:career_fields", label="ESP careers", order=30)
    registry.register_panel("home.cards", "esp", template="esp/home/_cards.html", order=30, context=_home_cards)
    # Career fields are members' reference data; awards staff keep their descriptions up to date.
    registry.register_group_permissions(Groups.AWARDS_STAFF, {"members.careerfield": ["view", "change"]})
    register_content()


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
