"""The ESP pages the site links to, with their first text: loaded by esp/migrations/0005_esp_pages.py and by
the test set-up (transactional tests flush migration-made rows). Staff edit the text afterwards."""

WHAT_MAE_DOES = """Education Support Professionals (ESPs) are the bus drivers, cafeteria workers, custodians, paraeducators, school nurses, secretaries, security officers, skilled-trade and technical staff who keep Mississippi's public schools running. They are often the first adult a student sees in the morning and the last one they see at night. MAE is their association as much as it is teachers' association.

Help when something goes wrong at work. Mississippi has no collective bargaining for school employees, and many ESPs work without a contract that spells out their rights. When an ESP faces discipline, a grievance, a schedule or pay problem, or a nonrenewal, a UniServ director from MAE helps them understand the district's grievance policy, meet its deadlines and be heard at every level, from the principal to the school board.

Liability coverage and legal help. Membership includes NEA's Educators Employment Liability coverage for incidents during membership and access to MAE's attorney referral benefit, so that an ESP is not alone if a parent, student or district makes a claim against them.

A voice at the Capitol and at the school board. MAE speaks for ESPs when the Legislature sets pay, insurance and retirement rules, and helps local associations bring ESPs' concerns to their school boards: fair pay scales, safe buses and buildings, enough staff in every cafeteria and classroom.

Growing in the job. Through the NEA ESP Professional Growth Continuum and NEA micro-credentials, MAE helps ESPs build the skills of their career field, earn recognition for them and prepare for the next step, whether that is a lead role, a license or a classroom of their own.

Recognition. Each year MAE names its ESP of the Year, Mississippi's nominee for the NEA ESP of the Year, and tells the stories of ESPs whose work makes a difference on these pages.

Dues that fit. ESP dues are lower than teacher dues, with full-time and part-time rates, and can be paid by card or by bank draft on each payday: Mississippi law does not let districts deduct association dues from pay."""

BILL_OF_RIGHTS = """MAE believes that every Education Support Professional in Mississippi's public schools deserves these things, and works for them in every district, at the Legislature and with NEA. Some of them are already law; others are still to be won.

1. Respect. ESPs are educators. Their work is part of every student's education and deserves the same respect as any other work in the school.

2. A fair wage and benefits. Pay that a family can live on, a pay scale that rewards experience, affordable health insurance and a secure retirement through PERS.

3. A safe and healthy workplace. Safe buses, kitchens, buildings and equipment, the training and protective gear the job needs, and enough staff to do the work safely.

4. Fair treatment and due process. Clear job descriptions and evaluations, discipline only for good reason, and a fair hearing under the district's grievance policy, with a representative of their choosing at their side.

5. A say in decisions that affect their work. A seat at the table when districts set schedules, routes, staffing and policies that shape ESPs' jobs and students' days.

6. Professional growth. Training on paid time, a path to advance in their career field, and recognition of the skills they earn, including NEA micro-credentials.

7. Freedom to join their association. The right to belong to MAE and NEA, to take part in association activities and to speak up for colleagues without retaliation.

8. Recognition. Their achievements named and celebrated, in their school, their community and across the state."""

PAGES = [
    ("what-mae-does-for-esps", "What MAE does for ESPs",
     "MAE stands up for the Education Support Professionals who keep Mississippi's schools running.", WHAT_MAE_DOES),
    ("esp-bill-of-rights", "The ESP Bill of Rights",
     "What every Education Support Professional deserves, and what MAE works for.", BILL_OF_RIGHTS),
]


def ensure_esp_pages(EspPage) -> None:
    """Create the pages that are missing; never overwrite what staff have written."""
    for slug, title, summary, body in PAGES:
        EspPage.objects.get_or_create(slug=slug, defaults={"title": title, "summary": summary, "body": body})
