from datetime import date
from decimal import Decimal

from django.db import migrations

# Starting data only: staff edit categories, rates and notices in the portal afterwards.
CATEGORIES = [
    # code, name, description, kind, basis, retired, student, proration, installments, (local, state, national)
    ("active-professional", "Active professional", "Teachers and other licensed professionals", "professional", "",
     False, False, "monthly", True, ("25.00", "380.00", "216.00")),
    ("esp-full-time", "ESP full-time", "Education Support Professionals working full-time", "esp", "full_time",
     False, False, "monthly", True, ("15.00", "190.00", "129.00")),
    ("esp-part-time", "ESP part-time", "Education Support Professionals working part-time", "esp", "part_time",
     False, False, "monthly", True, ("8.00", "95.00", "65.00")),
    ("retired", "Retired", "Retired educators and support professionals", "", "",
     True, False, "none", False, ("0.00", "35.00", "35.00")),
    ("aspiring-educator", "Aspiring educator", "College students preparing to teach", "", "",
     False, True, "none", False, ("0.00", "10.00", "20.00")),
]
NOTICE_OFFSETS = [-30, -7, 0, 14]


def load(apps, schema_editor):
    Category = apps.get_model("members", "MembershipCategory")
    Rate = apps.get_model("members", "DuesRate")
    Rule = apps.get_model("members", "RenewalNoticeRule")
    Policy = apps.get_model("members", "RenewalPolicy")
    for order, (code, name, desc, kind, basis, retired, student, proration, installments, shares) in enumerate(CATEGORIES, 1):
        category, _ = Category.objects.get_or_create(code=code, defaults=dict(
            name=name, description=desc, suggested_for_kind=kind, suggested_for_basis=basis, is_retired=retired,
            is_student=student, proration=proration, allows_installments=installments, sort_order=order,
        ))
        local, state, national = (Decimal(x) for x in shares)
        Rate.objects.get_or_create(category=category, effective_from=date(2025, 9, 1), defaults=dict(
            local_share=local, state_share=state, national_share=national))
    for offset in NOTICE_OFFSETS:
        Rule.objects.get_or_create(category=None, offset_days=offset)
    Policy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_membership")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
