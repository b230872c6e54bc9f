"""The bank-draft authorization members sign: its exact text, and the record of the signature."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string

from members.models import (
    DraftAuthorization,
    Member,
    MembershipCategory,
    PaymentPlan,
)


@dataclass
class Authorization:
    text: str
    digest: str
    schedule: list = field(default_factory=list)


def authorization_for(*, member: Member, category: MembershipCategory, year_label: str, start: date, end: date,
                      total: Decimal, shares, kind: str, draft_day: int, schedule: list, day: date,
                      balance_only: bool = False) -> Authorization:
    """The exact authorization text for these drafts, and its digest (to tell if it changed before signing)."""
    text = render_to_string("members/membership/authorization.txt", {
        "member": member, "category": category, "year_label": year_label, "start": start, "end": end,
        "total": total, "shares": shares, "kind": kind, "monthly": kind == PaymentPlan.Kind.MONTHLY,
        "draft_day": draft_day, "schedule": schedule, "first": schedule[0], "later": schedule[1:], "today": day,
        "district": member.employer_district, "balance_only": balance_only,
        "version": settings.DRAFT_AUTHORIZATION_VERSION, "site_url": settings.SITE_URL,
    }).strip() + "\n"
    return Authorization(text=text, digest=hashlib.sha256(text.encode()).hexdigest(), schedule=schedule)


def draft_authorization_record(member: Member, authorization: dict) -> DraftAuthorization:
    """Keep what the member signed: {"typed_name", "text" (exactly as shown), "ip", "user_agent", "signed_at"}."""
    return DraftAuthorization.objects.create(
        member=member, typed_name=authorization["typed_name"], agreed_text=authorization["text"],
        text_version=settings.DRAFT_AUTHORIZATION_VERSION, ip_address=authorization.get("ip"),
        user_agent=authorization.get("user_agent", "")[:300], signed_at=authorization["signed_at"],
    )
