"""Demo data: realistic Mississippi districts, worksites, locals, regions, personas and members."""

import random
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from esp.models import CareerField
from mae_portal.permissions import Groups
from members.models import District, Local, LocalOfficer, Member, UniServRegion, User, Worksite

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
    return {"users": list(users), "members_created": len(new_members), "members": Member.objects.count()}
