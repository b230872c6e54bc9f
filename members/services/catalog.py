"""What staff set up: membership categories and their dues rates, the renewal policy, renewal notice rules."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from mae_portal.audit import audit_record, model_update
from members import dues
from members.models import (
    DuesRate,
    MembershipCategory,
    RenewalNoticeRule,
    RenewalPolicy,
)
from members.services.errors import MembershipError


def _plain_values(data: dict) -> dict:
    return {key: value if isinstance(value, (bool, int, str)) or value is None else str(value)
            for key, value in data.items()}


@transaction.atomic
def category_create(*, data: dict, first_rate: dict, actor, ip: str | None = None) -> MembershipCategory:
    """A new membership category with its first dues rate. data: MembershipCategory fields;
    first_rate: effective_from, local_share, state_share, national_share."""
    if MembershipCategory.objects.filter(code=data["code"]).exists() or MembershipCategory.objects.filter(
            name__iexact=data["name"]).exists():
        raise MembershipError("A category with that code or name exists already.")
    category = MembershipCategory.objects.create(**data)
    rate = dues_rate_add(category=category, actor=actor, audited=False, **first_rate)
    audit_record(actor=actor, ip=ip, action="category.created", obj=category,
                 changes={**_plain_values(data), "rate": _rate_summary(rate)})
    return category


@transaction.atomic
def category_update(*, category: MembershipCategory, data: dict, actor, ip: str | None = None) -> MembershipCategory:
    category = MembershipCategory.objects.select_for_update().get(pk=category.pk)
    if MembershipCategory.objects.filter(name__iexact=data.get("name", category.name)).exclude(pk=category.pk).exists():
        raise MembershipError("Another category has that name.")
    category, _ = model_update(ip=ip, instance=category, data=data, actor=actor, action="category.updated")
    return category


def _rate_summary(rate: DuesRate) -> dict:
    return {"effective_from": rate.effective_from.isoformat(), "local": str(rate.local_share),
            "state": str(rate.state_share), "national": str(rate.national_share), "total": str(rate.total)}


@transaction.atomic
def dues_rate_add(*, category: MembershipCategory, effective_from: date, local_share: Decimal, state_share: Decimal,
                  national_share: Decimal, actor, audited: bool = True, ip: str | None = None) -> DuesRate:
    """A category's dues from a date on. Terms already made keep the dues they were made with."""
    local_share, state_share, national_share = (Decimal(value).quantize(dues.CENT)
                                                for value in (local_share, state_share, national_share))
    if min(local_share, state_share, national_share) < 0:
        raise MembershipError("Shares cannot be negative.")
    if category.rates.filter(effective_from=effective_from).exists():
        raise MembershipError(f"{category} already has a rate from {effective_from:%B %-d, %Y}.")
    try:
        with transaction.atomic():
            rate = DuesRate.objects.create(category=category, effective_from=effective_from, local_share=local_share,
                                           state_share=state_share, national_share=national_share)
    except IntegrityError as error:
        raise MembershipError(f"{category} already has a rate from {effective_from:%B %-d, %Y}.") from error
    if audited:
        audit_record(actor=actor, ip=ip, action="dues_rate.added", obj=rate, changes=_rate_summary(rate))
    return rate


@transaction.atomic
def renewal_policy_update(*, renewal_window_days: int, grace_period_days: int, actor, ip: str | None = None) -> RenewalPolicy:
    RenewalPolicy.current()
    policy = RenewalPolicy.objects.select_for_update().get(pk=1)
    data = {"renewal_window_days": renewal_window_days, "grace_period_days": grace_period_days}
    policy, _ = model_update(ip=ip, instance=policy, data=data, actor=actor, action="renewal_policy.updated")
    return policy


@transaction.atomic
def notice_rule_add(*, category: MembershipCategory | None, offset_days: int, actor, ip: str | None = None) -> RenewalNoticeRule:
    """A renewal notice sent offset_days from the end of a term (negative: before), for one category or all."""
    if RenewalNoticeRule.objects.filter(category=category, offset_days=offset_days).exists():
        raise MembershipError("That notice exists already; turn it back on if it is off.")
    try:
        with transaction.atomic():
            rule = RenewalNoticeRule.objects.create(category=category, offset_days=offset_days)
    except IntegrityError as error:
        raise MembershipError("That notice exists already.") from error
    audit_record(actor=actor, ip=ip, action="notice_rule.added", obj=rule,
                 changes={"category": category.code if category else None, "offset_days": offset_days})
    return rule


@transaction.atomic
def notice_rule_set_active(*, rule: RenewalNoticeRule, is_active: bool, actor, ip: str | None = None) -> RenewalNoticeRule:
    """Turn a renewal notice on or off. Rules are not deleted: the notices already sent refer to them."""
    rule = RenewalNoticeRule.objects.select_for_update().get(pk=rule.pk)
    rule, _ = model_update(ip=ip, instance=rule, data={"is_active": is_active}, actor=actor, action="notice_rule.updated")
    return rule
