"""What the advocacy app plugs into the core (mae_portal/registry.py); called from AdvocacyConfig.ready().

Each area of the app adds its own registrations here (nav links, panels, document kinds, audit actions,
group permissions, periodic jobs)."""

from mae_portal import registry


def register():
    registry.register_panel("home.cards", "advocacy", template="advocacy/home/_card.html", order=20)
