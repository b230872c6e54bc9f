"""The staff member record in one query: the member and their terms, payments, plans, notes, audit trail,
documents and gateway events not applied, as model instances like the ORM's (members.views.staff.record).

The ORM would build and compile eight statements for the page on every request (most of the page's time); this
one is written once, when the module is imported, from the models' fields. Each row travels as a JSON array of
its columns (numbers as text, so 12.50 stays 12.50) and becomes an instance with Model.from_db, its related
rows set as select_related would set them."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateRange

from mae_portal.models import AuditLog, StoredDocument
from members.models import (
    CareerField,
    District,
    DraftAuthorization,
    GatewayEvent,
    Local,
    Member,
    MembershipCategory,
    MembershipTerm,
    Payment,
    PaymentPlan,
    RenewalPolicy,
    UniServRegion,
    User,
    Worksite,
)
from members.models_notices import MemberNote

# A bigint column: a larger number matches no member (the ORM's lookup answers "no such row" too).
BIGINT_MAX = 2**63 - 1


def _range(bounds):
    lower, upper = bounds
    return DateRange(date.fromisoformat(lower) if lower else None, date.fromisoformat(upper) if upper else None, "[)")


# From the JSON value of a column to what the ORM gives for its field (the others are alike already).
_CONVERTERS = {
    "DecimalField": Decimal, "DateField": date.fromisoformat, "DateTimeField": datetime.fromisoformat,
    "UUIDField": UUID, "DateRangeField": _range,
}


# Field types whose JSON value is what the ORM gives already (text, numbers, booleans, ids, parsed JSON, addresses
# and file names as text). A field of another type fails here, on import, rather than showing a value the ORM
# would have shown otherwise.
_AS_IS = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "EmailField", "FileField",
    "ForeignKey", "GenericIPAddressField", "IntegerField", "JSONField", "OneToOneField", "PositiveIntegerField",
    "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField",
}


class _Shape:
    """One model's columns in a JSON array (`sql`), and the array back to an instance (`instance`)."""

    def __init__(self, model, alias: str, *, only=None, leave_out=()):
        fields = [f for f in model._meta.concrete_fields
                  if (only is None or f.attname in only) and f.attname not in leave_out]
        unknown = {f.get_internal_type() for f in fields} - _AS_IS - set(_CONVERTERS)
        if unknown:
            raise ImproperlyConfigured(f"members.selectors.record cannot read {model.__name__} fields of type {unknown}.")
        self.model, self.width = model, len(fields)
        self.attnames = [f.attname for f in fields]
        self.sql = ", ".join(self._column(f, f'{alias}."{f.column}"') for f in fields)
        self.converters = [(i, _CONVERTERS[f.get_internal_type()]) for i, f in enumerate(fields)
                           if f.get_internal_type() in _CONVERTERS]

    @staticmethod
    def _column(field, column: str) -> str:
        kind = field.get_internal_type()
        if kind == "DecimalField":
            return f"{column}::text"
        if kind == "DateRangeField":
            return f"json_build_array(lower({column}), upper({column}))"
        return column

    def instance(self, values: list, start: int = 0):
        """The instance of the columns at `start` in `values`, or None when its id is null (a left join's miss)."""
        row = values[start:start + self.width]
        if row[0] is None:
            return None
        for i, convert in self.converters:
            if row[i] is not None:
                row[i] = convert(row[i])
        return self.model.from_db(connection.alias, self.attnames, row)


EMAIL_ONLY = {"id", "email"}  # of the users a record names: staff who recorded, wrote or changed something
MEMBER = _Shape(Member, "m")
ACCOUNT = _Shape(User, "u", only=EMAIL_ONLY)
DISTRICT, REGION = _Shape(District, "d"), _Shape(UniServRegion, "r")
WORKSITE, FIELD, LOCAL = _Shape(Worksite, "w"), _Shape(CareerField, "f"), _Shape(Local, "l")
TERM, CATEGORY = _Shape(MembershipTerm, "t"), _Shape(MembershipCategory, "c")
PAYMENT, RECORDER = _Shape(Payment, "p"), _Shape(User, "pu", only=EMAIL_ONLY)
PLAN, AUTHORIZATION = _Shape(PaymentPlan, "pl"), _Shape(DraftAuthorization, "a")
NOTE, AUTHOR = _Shape(MemberNote, "n"), _Shape(User, "nu", only=EMAIL_ONLY)
ENTRY, ACTOR = _Shape(AuditLog, "e"), _Shape(User, "eu", only=EMAIL_ONLY)
DOCUMENT = _Shape(StoredDocument, "sd")
EVENT = _Shape(GatewayEvent, "g", leave_out={"payload"})  # the gateway's whole message: not shown
POLICY = _Shape(RenewalPolicy, "rp", only={"id", "renewal_window_days", "grace_period_days"})  # as current() reads it


def _table(model) -> str:
    return f'"{model._meta.db_table}"'


def _rows(shapes: str, order: str, source: str) -> str:
    return f"(SELECT COALESCE(json_agg(json_build_array({shapes}) ORDER BY {order}), '[]') FROM {source})"


# The orders are those of the selectors the page used before: member_terms, member_payments_for_staff,
# member_plans_for_staff, member_notes, audit_trail_for (at most `trail_limit` entries), member_documents_for_staff,
# member_mismatched_events.
_TERMS = _rows(f"{TERM.sql}, {CATEGORY.sql}", 't."membership_year" DESC, t."created_at" DESC',
               f'{_table(MembershipTerm)} t JOIN {_table(MembershipCategory)} c ON c."id" = t."category_id" '
               'WHERE t."member_id" = m."id"')
_PAYMENTS = _rows(f"{PAYMENT.sql}, {RECORDER.sql}", 'p."created_at" DESC, p."id" DESC',
                  f'{_table(Payment)} p LEFT JOIN {_table(User)} pu ON pu."id" = p."recorded_by_id" '
                  'WHERE p."member_id" = m."id"')
_PLANS = _rows(f"{PLAN.sql}, {AUTHORIZATION.sql}", 'pl."created_at" DESC',
               f'{_table(PaymentPlan)} pl LEFT JOIN {_table(DraftAuthorization)} a ON a."id" = pl."authorization_id" '
               'WHERE pl."member_id" = m."id"')
_NOTES = _rows(f"{NOTE.sql}, {AUTHOR.sql}", 'n."created_at" DESC',
               f'{_table(MemberNote)} n JOIN {_table(User)} nu ON nu."id" = n."author_id" WHERE n."member_id" = m."id"')
_TRAIL = _rows(f"{ENTRY.sql}, {ACTOR.sql}", 'e."created_at" DESC, e."id" DESC',
               f'(SELECT * FROM {_table(AuditLog)} WHERE "subject_type_id" = %(subject_type)s '
               'AND "subject_id" = m."id"::text ORDER BY "created_at" DESC, "id" DESC LIMIT %(trail_limit)s) e '
               f'LEFT JOIN {_table(User)} eu ON eu."id" = e."actor_id"')
_DOCUMENTS = _rows(DOCUMENT.sql, 'sd."created_at" DESC',
                   f'{_table(StoredDocument)} sd WHERE sd."owner_id" = m."user_id"')
_EVENTS = _rows(EVENT.sql, 'g."received_at" DESC',
                f'{_table(GatewayEvent)} g JOIN {_table(Payment)} gp ON gp."id" = g."payment_id" '
                """WHERE gp."member_id" = m."id" AND g."mismatch" <> ''""")
RECORD_SQL = f"""
SELECT json_build_array({MEMBER.sql}), json_build_array({ACCOUNT.sql}), json_build_array({DISTRICT.sql}),
       json_build_array({REGION.sql}), json_build_array({WORKSITE.sql}), json_build_array({FIELD.sql}),
       json_build_array({LOCAL.sql}),
       {_TERMS}, {_PAYMENTS}, {_PLANS}, {_NOTES}, {_TRAIL}, {_DOCUMENTS}, {_EVENTS},
       (SELECT json_build_array({POLICY.sql}) FROM {_table(RenewalPolicy)} rp WHERE rp."id" = 1)
  FROM {_table(Member)} m
  LEFT JOIN {_table(User)} u ON u."id" = m."user_id"
  LEFT JOIN {_table(District)} d ON d."id" = m."employer_district_id"
  LEFT JOIN {_table(UniServRegion)} r ON r."id" = d."region_id"
  LEFT JOIN {_table(Worksite)} w ON w."id" = m."worksite_id"
  LEFT JOIN {_table(CareerField)} f ON f."id" = m."career_field_id"
  LEFT JOIN {_table(Local)} l ON l."id" = m."local_id"
 WHERE m."member_number" = %(number)s
"""


@dataclass
class MemberRecord:
    """What the staff record shows of a member. The lists are newest first; `payments` without their terms
    (attach_terms gives them) and without refunded/refundable (attach_refund_amounts)."""

    member: Member
    terms: list
    payments: list
    plans: list
    notes: list
    trail: list
    documents: list
    mismatched_events: list
    policy: RenewalPolicy


def _cache(model, name: str, instance, value) -> None:
    """Set a relation as select_related does (None included: no query for an empty one)."""
    model._meta.get_field(name).set_cached_value(instance, value)


def member_record(member_number: int, *, trail_limit: int = 100) -> MemberRecord | None:
    """The record of the member with this number, or None if there is none, with the renewal policy in force.
    Not scoped: the caller checks the user may see the member."""
    if not -BIGINT_MAX <= member_number <= BIGINT_MAX:
        return None
    params = {"number": member_number, "trail_limit": trail_limit,
              "subject_type": ContentType.objects.get_for_model(Member).pk}
    with connection.cursor() as cursor:
        cursor.execute(RECORD_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    member_row, account, district, region, worksite, field, local, terms, payments, plans, notes, trail, documents, \
        events, policy = row
    member = MEMBER.instance(member_row)
    district = DISTRICT.instance(district)
    if district is not None:
        _cache(District, "region", district, REGION.instance(region))
    for name, value in (("user", ACCOUNT.instance(account)), ("employer_district", district),
                        ("worksite", WORKSITE.instance(worksite)), ("career_field", FIELD.instance(field)),
                        ("local", LOCAL.instance(local))):
        _cache(Member, name, member, value)
    return MemberRecord(
        member=member, terms=_terms(member, terms, plans := _plans(member, plans)), plans=plans,
        payments=(payments := _payments(member, payments)), notes=_notes(member, notes), trail=_trail(trail),
        documents=[DOCUMENT.instance(values) for values in documents],
        mismatched_events=_events(events, payments),
        # the row RenewalPolicy.current() keeps in the cache, read here with the rest (made by current() if missing)
        policy=POLICY.instance(policy) if policy else RenewalPolicy.current(),
    )


def _plans(member, rows) -> list:
    plans = []
    for values in rows:
        plan = PLAN.instance(values)
        _cache(PaymentPlan, "member", plan, member)
        _cache(PaymentPlan, "authorization", plan, AUTHORIZATION.instance(values, PLAN.width))
        plans.append(plan)
    return plans


def _terms(member, rows, plans) -> list:
    plans_by_pk = {plan.pk: plan for plan in plans}
    terms = []
    for values in rows:
        term = TERM.instance(values)
        _cache(MembershipTerm, "member", term, member)
        _cache(MembershipTerm, "category", term, CATEGORY.instance(values, TERM.width))
        if term.plan_id is None or term.plan_id in plans_by_pk:  # a term's plan is one of its member's plans
            _cache(MembershipTerm, "plan", term, plans_by_pk.get(term.plan_id))
        terms.append(term)
    return terms


def _payments(member, rows) -> list:
    payments = []
    for values in rows:
        payment = PAYMENT.instance(values)
        _cache(Payment, "member", payment, member)
        _cache(Payment, "recorded_by", payment, RECORDER.instance(values, PAYMENT.width))
        payments.append(payment)
    by_pk = {p.pk: p for p in payments}
    for p in payments:
        if p.refund_of_id in by_pk:
            _cache(Payment, "refund_of", p, by_pk[p.refund_of_id])
    return payments


def _notes(member, rows) -> list:
    notes = []
    for values in rows:
        note = NOTE.instance(values)
        _cache(MemberNote, "member", note, member)
        _cache(MemberNote, "author", note, AUTHOR.instance(values, NOTE.width))
        notes.append(note)
    return notes


def _trail(rows) -> list:
    trail = []
    for values in rows:
        entry = ENTRY.instance(values)
        _cache(AuditLog, "actor", entry, ACTOR.instance(values, ENTRY.width))
        trail.append(entry)
    return trail


def _events(rows, payments) -> list:
    by_pk = {p.pk: p for p in payments}
    events = []
    for values in rows:
        event = EVENT.instance(values)
        _cache(GatewayEvent, "payment", event, by_pk[event.payment_id])
        events.append(event)
    return events
