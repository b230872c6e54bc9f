"""Pages anyone may open without signing in."""

from datetime import timedelta

from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from members import clock, dues
from members.models import MembershipTerm
from members.selectors.terms import member_terms


@require_GET
@never_cache
def verify_card(request, token):
    """What the QR code on a membership card opens: the member's name, whether they are an active
    member today, and until when. Nothing else (no number, local or contact details), since anyone
    holding the card can open it. An unknown token answers 404."""
    card_term = get_object_or_404(MembershipTerm.objects.select_related("member"), verification_token=token)
    today = clock.today()
    terms = member_terms(card_term.member, today=today)
    # The member's standing today, not only the card's year: a renewed member scanning last year's card is active.
    active = next((t for t in terms if t.status == dues.TermStatus.ACTIVE and t.start <= today <= t.end), None)
    if active is not None:
        # A renewal already paid for carries the date on to the end of the next year.
        valid_through = active.end
        for term in sorted(terms, key=lambda t: t.start):
            if term.start == valid_through + timedelta(days=1) and term.status == dues.TermStatus.ACTIVE:
                valid_through = term.end
    else:
        # A paid-up card whose year is over shows when it ran out; a lapsed or cancelled one shows no date.
        card = next(t for t in terms if t.pk == card_term.pk)
        valid_through = card.end if card.status == dues.TermStatus.EXPIRED else None
    response = render(request, "members/verify.html", {
        "name": card_term.member.display_name, "active": active is not None, "valid_through": valid_through,
    })
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
