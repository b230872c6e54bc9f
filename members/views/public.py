"""Pages anyone may open without signing in."""


from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from members import clock
from members.models import MembershipTerm
from members.selectors.terms import card_valid_through, member_terms


@require_GET
@never_cache
def verify_card(request, token):
    """What the QR code on a membership card opens: the member's name, whether they are an active
    member today, and until when. Nothing else (no number, local or contact details), since anyone
    holding the card can open it. An unknown token answers 404."""
    card_term = get_object_or_404(MembershipTerm.objects.select_related("member"), verification_token=token)
    today = clock.today()
    terms = member_terms(card_term.member, today=today)
    active, valid_through = card_valid_through(terms, card_term_pk=card_term.pk, today=today)
    response = render(request, "members/verify.html", {
        "name": card_term.member.display_name, "active": active, "valid_through": valid_through,
    })
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
