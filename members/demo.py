"""Demo data: realistic Mississippi districts, worksites, locals, regions, personas and members."""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from mae_portal.permissions import Groups
from members import dues
from members.models import (
    CareerField,
    District,
    Local,
    LocalOfficer,
    Member,
    MemberNote,
    Payment,
    PaymentPlan,
    UniServRegion,
    User,
    Worksite,
)
from members.services.join import membership_join
from members.services.quotes import suggest_category

REGIONS = [
    (1, "North Mississippi", [
        ("Tupelo Public School District", "Lee"), ("Lee County School District", "Lee"),
        ("Oxford School District", "Lafayette"), ("Lafayette County School District", "Lafayette"),
        ("Starkville Oktibbeha Consolidated School District", "Oktibbeha"),
        ("Columbus Municipal School District", "Lowndes"), ("DeSoto County Schools", "DeSoto"),
        ("Corinth School District", "Alcorn"),
    ]),
    (2, "Delta", [
        ("Greenville Public School District", "Washington"), ("Cleveland School District", "Bolivar"),
        ("Greenwood Leflore Consolidated School District", "Leflore"),
        ("Clarksdale Municipal School District", "Coahoma"), ("Yazoo County School District", "Yazoo"),
    ]),
    (3, "Central Mississippi", [
        ("Jackson Public School District", "Hinds"), ("Madison County School District", "Madison"),
        ("Rankin County School District", "Rankin"), ("Clinton Public School District", "Hinds"),
        ("Meridian Public School District", "Lauderdale"), ("Vicksburg Warren School District", "Warren"),
    ]),
    (4, "South Mississippi and the Coast", [
        ("Hattiesburg Public School District", "Forrest"), ("Harrison County School District", "Harrison"),
        ("Gulfport School District", "Harrison"), ("Biloxi Public School District", "Harrison"),
        ("Pascagoula-Gautier School District", "Jackson"), ("Jackson County School District", "Jackson"),
        ("Natchez-Adams School District", "Adams"), ("McComb School District", "Pike"),
    ]),
]

# Locals that span several districts; every other district has a local of its own.
SHARED_LOCALS = {
    "Harrison County Area Association of Educators": [
        "Harrison County School District", "Gulfport School District", "Biloxi Public School District",
    ],
    "Lee County Area Association of Educators": ["Tupelo Public School District", "Lee County School District"],
}

SITES = [
    ("Elementary School", Worksite.Kind.ELEMENTARY), ("Upper Elementary School", Worksite.Kind.ELEMENTARY),
    ("Middle School", Worksite.Kind.MIDDLE), ("High School", Worksite.Kind.HIGH),
    ("Central Office", Worksite.Kind.CENTRAL_OFFICE), ("Transportation Department", Worksite.Kind.TRANSPORTATION),
    ("Child Nutrition Center", Worksite.Kind.FOOD_SERVICE), ("Maintenance and Operations", Worksite.Kind.MAINTENANCE),
]

JOBS = {
    "clerical-services": ["School secretary", "Attendance clerk", "Bookkeeper"],
    "custodial-and-maintenance-services": ["Custodian", "Head custodian", "Groundskeeper"],
    "food-services": ["Cafeteria worker", "Cook", "Cafeteria manager"],
    "health-and-student-services": ["School nurse (LPN)", "Health aide", "Interpreter"],
    "paraeducators": ["Teacher assistant", "Special education paraprofessional", "Library aide"],
    "security-services": ["Campus security officer", "Safety monitor"],
    "skilled-trades": ["Electrician", "HVAC technician", "Bus mechanic"],
    "technical-services": ["IT technician", "Network specialist", "Data specialist"],
    "transportation-services": ["School bus driver", "Bus monitor", "Dispatcher"],
    "teaching": ["Kindergarten teacher", "Math teacher", "English teacher", "Science teacher", "Special education teacher"],
    "licensed-professional": ["School counselor", "Librarian", "Speech-language pathologist"],
}
SITE_FOR_FIELD = {
    "transportation-services": Worksite.Kind.TRANSPORTATION, "food-services": Worksite.Kind.FOOD_SERVICE,
    "skilled-trades": Worksite.Kind.MAINTENANCE, "clerical-services": Worksite.Kind.CENTRAL_OFFICE,
}
FIRST = ["Tamika", "James", "Latoya", "Robert", "Keisha", "William", "Shirley", "Marcus", "Brenda", "Darnell",
         "Patricia", "Jerome", "Angela", "Terrence", "Dorothy", "Kevin", "Felicia", "Charles", "Yolanda", "Michael",
         "Cynthia", "Andre", "Gloria", "Cedric", "Mary", "Travis", "Rhonda", "Dewayne", "Lakesha", "Billy", "Ashley",
         "Hunter", "Kaitlyn", "Jamal", "Erica", "Reginald", "Sandra", "Tyrone", "Carolyn", "Bradley"]
LAST = ["Johnson", "Williams", "Brown", "Jones", "Davis", "Smith", "Jackson", "Harris", "Thomas", "Moore", "Walker",
        "Robinson", "Taylor", "Lewis", "Hill", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Mitchell",
        "Carter", "Turner", "Coleman", "Bell", "Fields", "McGee", "Stewart", "Washington", "Pruitt", "Holloway",
        "Tillman", "Ware", "Stringer", "Crosby", "Nettles", "Buckley", "Ladner"]
CITY = {"Lee": "Tupelo", "Lafayette": "Oxford", "Oktibbeha": "Starkville", "Lowndes": "Columbus", "DeSoto": "Southaven",
        "Alcorn": "Corinth", "Washington": "Greenville", "Bolivar": "Cleveland", "Leflore": "Greenwood",
        "Coahoma": "Clarksdale", "Yazoo": "Yazoo City", "Hinds": "Jackson", "Madison": "Madison", "Rankin": "Brandon",
        "Lauderdale": "Meridian", "Warren": "Vicksburg", "Forrest": "Hattiesburg", "Harrison": "Gulfport",
        "Jackson": "Pascagoula", "Adams": "Natchez", "Pike": "McComb"}

PERSONAS = [
    # email, first, last, groups, is_staff, is_superuser
    ("member@example.org", "Tamika", "Shelton", [], False, False),
    ("leader@example.org", "Gregory", "Pruitt", [Groups.LOCAL_LEADERS], False, False),
    ("director@example.org", "Denise", "Holloway", [Groups.UNISERV_DIRECTORS], False, False),
    ("director2@example.org", "Marcus", "Tillman", [Groups.UNISERV_DIRECTORS], False, False),
    ("manager@example.org", "Gail", "Stringer", [Groups.REGION_MANAGERS], True, False),
    ("staff@example.org", "Renee", "Whitfield", [Groups.MEMBERSHIP_STAFF], True, False),
    ("reviewer@example.org", "Harold", "Ware", [Groups.AWARD_REVIEWERS], False, False),
    ("awards@example.org", "Lorraine", "Buckley", [Groups.AWARDS_STAFF], True, False),
    ("coordinator@example.org", "Angela", "Crosby", [Groups.MENTORING_COORDINATORS], False, False),
    ("admin@example.org", "Portal", "Administrator", [], True, True),
]
DEMO_MEMBER_DOMAIN = "members.example.net"


def _slug(text):
    return "".join(ch for ch in text.lower() if ch.isalnum())


@transaction.atomic
def load_demo(*, member_count: int = 300, today: date) -> dict:
    """Create (or complete) the demo data. Safe to run again: nothing is duplicated."""
    districts = {}
    regions = {}
    for number, name, district_rows in REGIONS:
        region, _ = UniServRegion.objects.get_or_create(number=number, defaults={"name": name})
        regions[number] = region
        for district_name, county in district_rows:
            district, _ = District.objects.get_or_create(name=district_name, defaults={"county": county, "region": region})
            districts[district_name] = district
            town = district_name.split(" ")[0].replace("-", " ")
            for suffix, kind in SITES:
                Worksite.objects.get_or_create(district=district, name=f"{town} {suffix}", defaults={"kind": kind})

    locals_by_district = {}
    for local_name, names in SHARED_LOCALS.items():
        local, _ = Local.objects.get_or_create(name=local_name)
        local.districts.add(*[districts[n] for n in names])
        locals_by_district.update({n: local for n in names})
    for district_name, district in districts.items():
        if district_name not in locals_by_district:
            short = district_name.replace(" School District", "").replace(" Public", "").replace(" Schools", "")
            local, _ = Local.objects.get_or_create(name=f"{short} Association of Educators")
            local.districts.add(district)
            locals_by_district[district_name] = local

    fields = {f.slug: f for f in CareerField.objects.all()}
    sites = {}
    for site in Worksite.objects.all():
        sites.setdefault(site.district_id, []).append(site)

    users = {}
    for email, first, last, group_names, is_staff, is_superuser in PERSONAS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, settings.DEMO_PASSWORD, first_name=first, last_name=last,
                                            is_staff=is_staff, is_superuser=is_superuser)
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        user.groups.add(*Group.objects.filter(name__in=group_names))
        users[email] = user

    regions[1].directors.add(users["director@example.org"])
    regions[2].directors.add(users["director2@example.org"])
    tupelo = districts["Tupelo Public School District"]
    home_local = locals_by_district[tupelo.name]
    LocalOfficer.objects.get_or_create(local=home_local, user=users["leader@example.org"], role=LocalOfficer.Role.PRESIDENT)

    def site_for(district, field_slug, rng):
        options = sites[district.pk]
        kind = SITE_FOR_FIELD.get(field_slug)
        matching = [s for s in options if s.kind == kind]
        return rng.choice(matching or [s for s in options if s.kind in ("elementary", "middle", "high")])

    persona_members = [
        ("member@example.org", "transportation-services", "School bus driver", tupelo),
        ("leader@example.org", "teaching", "Math teacher", tupelo),
    ]
    for email, field_slug, job, district in persona_members:
        user = users[email]
        Member.objects.get_or_create(user=user, defaults=dict(
            legal_first_name=user.first_name, legal_last_name=user.last_name, email=email,
            mobile_phone="662-555-0100", address_line1="412 Magnolia Street", city="Tupelo", state="MS",
            zip_code="38801", employer_district=district, worksite=site_for(district, field_slug, random.Random(email)), job_title=job,
            career_field=fields[field_slug], hire_date=date(2015, 8, 3), local=locals_by_district[district.name],
        ))

    existing = set(Member.objects.filter(email__endswith="@" + DEMO_MEMBER_DOMAIN).values_list("email", flat=True))
    district_list = list(districts.values())
    esp_slugs = [slug for slug, f in fields.items() if f.kind == CareerField.Kind.ESP]
    new_members = []
    for i in range(member_count):
        rng = random.Random(f"mae-demo-member-{i}")  # each member's data depends only on its index
        first, last = rng.choice(FIRST), rng.choice(LAST)
        district = rng.choice(district_list)
        field_slug = esp_slugs[i % len(esp_slugs)] if i % 5 else rng.choice(["teaching", "licensed-professional"])
        email = f"{_slug(first)}.{_slug(last)}.{i}@{DEMO_MEMBER_DOMAIN}"
        if email in existing:
            continue
        hire = today - timedelta(days=rng.randint(90, 30 * 365))
        basis = Member.EmploymentBasis.PART_TIME if field_slug in esp_slugs and rng.random() < 0.2 else Member.EmploymentBasis.FULL_TIME
        site = site_for(district, field_slug, rng)
        job = rng.choice(JOBS[field_slug])
        phone = f"601-555-{rng.randint(0, 9999):04d}"
        street = f"{rng.randint(100, 9999)} {rng.choice(['Pine', 'Oak', 'Cypress', 'Church', 'Main', 'Pearl'])} Street"
        new_members.append(Member(
            legal_first_name=first, legal_last_name=last, email=email, mobile_phone=phone,
            address_line1=street, city=CITY[district.county], state="MS", zip_code=f"39{rng.randint(0, 999):03d}",
            employer_district=district, worksite=site, job_title=job, career_field=fields[field_slug],
            employment_basis=basis, hire_date=hire, local=locals_by_district[district.name],
            nea_id=f"{rng.randint(10**8, 10**9 - 1)}{i:04d}",
        ))
    Member.objects.bulk_create(new_members, batch_size=500)
    _set_pay_schedules(districts)
    terms_created = _load_memberships(today=today, staff=users["staff@example.org"])
    _persona_documents(today=today)
    return {"users": list(users), "members_created": len(new_members), "members": Member.objects.count(),
            "terms_created": terms_created}


# --- Memberships --------------------------------------------------------------------------------------------------
#
# Demo members join and renew through services.membership_join, as members do. Paying is not replayed through
# the gateway: demo data is not a business event, so the demo marks the payments due so far paid directly, and
# no receipt, card, welcome email or audit row is made for hundreds of made-up people. The only follow-up
# membership_join queues is the PDF of a signed draft authorization, which is built for members with an
# account; demo members have none (the personas pay annually), so those tasks find nothing to do.

CHICAGO = ZoneInfo("America/Chicago")

# District payrolls: most pay on the last business day of the month; these pay more often.
PAY_SCHEDULES = {
    "Jackson Public School District": (District.PaySchedule.BIWEEKLY, date(2025, 8, 29)),
    "DeSoto County Schools": (District.PaySchedule.BIWEEKLY, date(2025, 9, 5)),
    "Hattiesburg Public School District": (District.PaySchedule.BIWEEKLY, date(2025, 8, 29)),
    "Harrison County School District": (District.PaySchedule.SEMIMONTHLY, None),
    "Madison County School District": (District.PaySchedule.SEMIMONTHLY, None),
    "Rankin County School District": (District.PaySchedule.SEMIMONTHLY, None),
}

# What a demo member's membership looks like: (share of members, scenario).
SCENARIOS = [
    (0.05, "none"),  # in the records (imported), never joined
    (0.08, "lapsed"),  # last year's term only: in grace for a month after August 31, then lapsed
    (0.05, "pending"),  # joined in the last days, not paid yet
    (0.16, "monthly"),  # monthly bank drafts
    (0.10, "payday"),  # a bank draft on each of their district's paydays
    (0.56, "annual"),  # paid once by card (a few by check at the office)
]
AUTHORIZATION_TEXT = (
    "I authorize the Mississippi Association of Educators to draft my bank account for my membership dues "
    "on the dates shown, until I cancel this authorization in the portal or by calling 601-354-4463."
)


def _set_pay_schedules(districts):
    for name, (schedule, anchor) in PAY_SCHEDULES.items():
        if name in districts:
            District.objects.filter(pk=districts[name].pk).update(pay_schedule=schedule, pay_anchor=anchor)


def _scenario(rng) -> str:
    roll, total = rng.random(), 0.0
    for share, name in SCENARIOS:
        total += share
        if roll < total:
            return name
    return SCENARIOS[-1][1]


def _demo_index(member) -> int:
    if member.email.endswith("@" + DEMO_MEMBER_DOMAIN):
        return int(member.email.split("@")[0].rsplit(".", 1)[1])
    return -1  # the personas


def _join(member, category, *, day, plan="annual", renewal_of=None, draft_day=1, key):
    authorization = None
    if plan != PaymentPlan.Kind.ANNUAL:
        authorization = {"typed_name": member.legal_name, "text": AUTHORIZATION_TEXT, "ip": "203.0.113.10",
                         "user_agent": "Demo data", "signed_at": datetime.combine(day, time(19, 30), CHICAGO)}
    payment = membership_join(
        member=member, category=category, plan_kind=plan, draft_day=draft_day, authorization=authorization,
        actor=None, today=day, idempotency_key=f"demo:{member.member_number}:{key}", renewal_of=renewal_of,
    )
    return payment.term


def _mark_paid_so_far(settle: dict, *, today: date, staff) -> None:
    """Mark the payments due by today of the terms in `settle` paid (see the note above) and their plans as
    having a saved card or account, in a few bulk queries. settle: {term pk: (bounced, by_check)}. bounced:
    the latest draft of an installment plan came back unpaid (within the grace period); by_check: the first
    payment was a check taken at the office by membership staff."""
    payments = list(Payment.objects.filter(term_id__in=settle, due_on__lte=today).select_related("term__plan")
                    .order_by("term_id", "due_on", "pk"))
    by_term: dict[int, list] = {}
    for payment in payments:
        by_term.setdefault(payment.term_id, []).append(payment)
    plans = {}
    for term_pk, due in by_term.items():
        bounced, by_check = settle[term_pk]
        plan = due[0].term.plan
        last = due[-1]
        for number, payment in enumerate(due):
            if (bounced and plan.is_installment and payment is last and number > 0
                    and payment.due_on > today - timedelta(days=20)):
                payment.status, payment.failure_message = Payment.Status.FAILED, "The bank returned the draft for insufficient funds."
                continue
            payment.status = Payment.Status.SUCCEEDED
            payment.paid_at = datetime.combine(payment.due_on, time(9, 0), CHICAGO)
            payment.gateway_reference = f"demo_{payment.pk}"
            if by_check and number == 0:
                payment.method, payment.gateway, payment.recorded_by = Payment.Method.CHECK, "manual", staff
                payment.check_number, payment.gateway_reference = str(1000 + payment.pk % 9000), ""
        if by_check:
            plan.auto_renew = False  # nothing saved to charge next year
        else:
            plan.gateway_customer = f"sbx_cus_demo{plan.member_id}"
            plan.gateway_payment_method = "sbx_acct_000123456789" if plan.is_installment else "sbx_card_demo4242"
            plan.payment_method_label = "Checking ending 6789" if plan.is_installment else "Card ending 4242"
        plans[plan.pk] = plan
    Payment.objects.bulk_update(payments, ["status", "paid_at", "gateway_reference", "failure_message", "method",
                                           "gateway", "recorded_by", "check_number"], batch_size=500)
    PaymentPlan.objects.bulk_update(list(plans.values()), ["auto_renew", "gateway_customer", "gateway_payment_method",
                                                           "payment_method_label"], batch_size=500)


def _load_memberships(*, today: date, staff) -> int:
    """Terms for the personas and the demo members who have none yet (so a second run adds nothing)."""
    year = dues.membership_year_for(today)
    this_start, _ = dues.membership_year_bounds(year)
    last_start, _ = dues.membership_year_bounds(year - 1)
    renewal_days = (date(year, 8, 1), date(year, 8, 28))  # inside the renewal window, before the year starts
    candidates = (Member.objects.filter(terms__isnull=True)
                  .filter(email__endswith="@" + DEMO_MEMBER_DOMAIN) | Member.objects.filter(
                      terms__isnull=True, user__email__in=["member@example.org", "leader@example.org"]))
    candidates = sorted(candidates.select_related("career_field", "employer_district").distinct(), key=_demo_index)
    made, settle = 0, {}
    for member in candidates:
        index = _demo_index(member)
        rng = random.Random(f"mae-demo-membership-{index}")
        category = suggest_category(member)
        scenario = "annual" if index < 0 else _scenario(rng)
        if scenario == "none" or category is None:
            continue
        days_into_year = (today - this_start).days
        if scenario == "pending":  # a new member who has not paid yet
            _join(member, category, day=today - timedelta(days=rng.randint(0, min(10, days_into_year))), key=f"{year}")
            made += 1
            continue
        renewing = index < 0 or scenario == "lapsed" or rng.random() < 0.75
        last = None
        if renewing:  # a member last year too
            joined_last_year = last_start + timedelta(
                days=2 if index < 0 else rng.randint(0, 40) if rng.random() < 0.8 else rng.randint(60, 240))
            last = _join(member, category, day=joined_last_year, key=f"{year - 1}")
            settle[last.pk] = (False, False)
            made += 1
        if scenario == "lapsed":
            continue
        plan = scenario if category.allows_installments else "annual"
        if last is not None:  # renewed during the renewal window in August
            day = date(year, 8, 12) if index < 0 else renewal_days[0] + timedelta(days=rng.randint(0, 27))
            term = _join(member, category, day=day, plan=plan, renewal_of=last, draft_day=rng.choice([1, 5, 15, 20]),
                         key=f"{year}")
        else:  # joined this year
            day = this_start + timedelta(days=rng.randint(0, max(0, days_into_year - 1)))
            term = _join(member, category, day=day, plan=plan, draft_day=rng.choice([1, 15, 28]), key=f"{year}")
        settle[term.pk] = (rng.random() < 0.08, plan == "annual" and index >= 0 and rng.random() < 0.1)
        made += 1
        if index >= 0 and rng.random() < 0.04:
            MemberNote.objects.create(member=member, author=staff, text=rng.choice([
                "Called to ask about switching to payday drafts; sent the link.",
                "Returned mail: asked the building rep to confirm the home address.",
                "Paid at the district meeting; check deposited.",
            ]))
    _mark_paid_so_far(settle, today=today, staff=staff)
    return made


def _persona_documents(*, today: date) -> None:
    """Cards, coverage letters and receipts for the personas with a paid term, so the demo dashboard
    shows them (idempotent: documents are keyed by their subject)."""
    from mae_portal.documents import document_build
    from members.documents import membership_document_request
    from members.dues import membership_year_for
    from members.models import MembershipTerm, Payment

    terms = MembershipTerm.objects.filter(member__user__isnull=False, cancelled_at__isnull=True,
                                          membership_year=membership_year_for(today))
    for term in terms:
        subjects = [("receipt", payment) for payment in term.payments.filter(status=Payment.Status.SUCCEEDED)]
        for kind, subject in [*subjects, ("card", term), ("coverage_letter", term)] if subjects else []:
            if document := membership_document_request(kind=kind, subject=subject):
                document_build(document_id=document.pk)  # inline: the demo dashboard shows them at once


def demo_loader(*, today: date, options: dict) -> list[str]:
    """The `load_demo` command's part for membership: the people, then what it prints about them."""
    result = load_demo(member_count=options.get("members", 300), today=today)
    lines = [f"Demo data ready: {result['members']} members ({result['members_created']} new).", "",
             f"Sign in at {settings.SITE_URL}/accounts/login/ with password: {settings.DEMO_PASSWORD}"]
    for email, first, last, groups, _, is_superuser in PERSONAS:
        role = "admin" if is_superuser else (", ".join(groups) or "member")
        lines.append(f"  {email:<26} {first} {last} ({role})")
    lines.append("Staff, directors, managers, reviewers and the admin set up two-factor authentication at first sign-in.")
    return lines
