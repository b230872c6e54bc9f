from django.contrib.auth.models import AnonymousUser

from mae_portal import registry


def navigation(request):
    """The main menu, by persona: each app registers its links, each shown only to those who may open it."""
    # An error page rendered before AuthenticationMiddleware ran (a disallowed Host header is refused by
    # CommonMiddleware, which sits before it) has no request.user: it gets the signed-out menu.
    # The user object itself, not request.user's lazy wrapper: each of the menu's checks reads several of its
    # attributes, and every read through the wrapper costs a detour.
    user = getattr(request, "_cached_user", None) or getattr(request, "user", None) or AnonymousUser()
    return {"nav_links": registry.nav_links_for(user)}
