from mae_portal import registry


def navigation(request):
    """The main menu, by persona: each app registers its links, each shown only to those who may open it."""
    return {"nav_links": registry.nav_links_for(request.user)}
