"""What the ESP app plugs into the core (mae_portal/registry.py); called from EspConfig.ready()."""

from mae_portal import registry
from mae_portal.permissions import Groups


def register() -> None:
    registry.register_nav_link("esp:career_fields", label="ESP careers", order=30)
    registry.register_panel("home.cards", "esp", template="esp/home/_cards.html", order=30)
    # Career fields are members' reference data; awards staff keep their descriptions up to date.
    registry.register_group_permissions(Groups.AWARDS_STAFF, {"members.careerfield": ["view", "change"]})
