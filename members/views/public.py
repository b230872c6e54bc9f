"""Pages anyone may open without signing in."""


from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from members import clock
from members.selectors.terms import card_verification


@require_GET
@never_cache
def verify_card(request, token):
    """What the QR code on a membership card opens: the member's name, whether they are an active
    member today, and until when. Nothing else (no number, local or contact details), since anyone
    holding the card can open it. An unknown token answers 404."""
    card = card_verification(token, today=clock.today())
    if card is None:
        raise Http404("No membership card has this token.")
    name, active, valid_through = card
    response = render(request, "members/verify.html", {"name": name, "active": active, "valid_through": valid_through})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
