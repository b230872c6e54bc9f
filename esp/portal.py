"""What the ESP app plugs into the core (mae_portal/registry.py); called from EspConfig.ready()."""

from mae_portal import registry
from mae_portal.permissions import Groups


def register() -> None:
    registry.register_nav_link("esp:career_fields", label="ESP careers", order=30)
    registry.register_panel("home.cards", "esp", template="esp/home/_cards.html", order=30)
    # Career fields are members' reference data; awards staff keep their descriptions up to date.
    registry.register_group_permissions(Groups.AWARDS_STAFF, {"members.careerfield": ["view", "change"]})
    register_nominations()


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
    registry.register_nav_link("esp:screening_cycles", label="Screening", order=70, visible=is_awards_staff)
    registry.register_dashboard_panel("esp-nominations", template="esp/nominations/dashboard/_nominations.html",
                                      context=_nominations_panel, visible=_nominations_panel_visible, order=30)
    registry.register_group_permissions(Groups.AWARDS_STAFF, {
        "esp.awardcycle": ["view", "add", "change"], "esp.criterion": ["view", "add", "change", "delete"],
        "esp.nomination": ["view"], "esp.supportletter": ["view"], "esp.nominationstatement": ["view"],
    })
