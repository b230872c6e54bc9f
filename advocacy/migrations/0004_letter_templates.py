"""Starting letter templates: a level-1 grievance filing, a hearing request under Miss. Code 37-9-109 and a
records request. Staff edit them afterwards; this only creates the ones missing and never overwrites an edit."""

from django.db import migrations

GRIEVANCE_FILING = """{{ today|date:"F j, Y" }}

{{ supervisor|default:"The Principal" }}
{{ worksite }}
{{ district }}

Re: Level 1 grievance of {{ grievant_names }} (MAE case {{ case_number }})

Under the district's grievance policy{% if policy_cited %} ({{ policy_cited }}){% endif %}, {{ grievant_names }} {% if grievants|length > 1 %}file{% else %}files{% endif %} this written grievance at level 1.

Issue: {{ issue }}

What happened:
{{ facts }}

Remedy sought:
{{ remedy_sought }}

Please answer in writing within the time the policy allows{% if current_step_due %}; by our count the answer is due by {{ current_step_due|date:"F j, Y" }}{% endif %}. If no answer is given in time, the grievance may be taken to the next level.

Please send your answer to the grievant and to me. The Mississippi Association of Educators represents {{ grievant_names }} in this matter.

Sincerely,

{{ director_name }}
UniServ Director, {{ region }}
Mississippi Association of Educators
{{ director_email }}
"""

HEARING_REQUEST = """{{ today|date:"F j, Y" }}

The Superintendent
{{ district }}

Re: Request for a hearing on the nonrenewal of {{ grievant_names }} (MAE case {{ case_number }})

Under Miss. Code Ann. 37-9-109, {{ grievant_name }} requests a hearing on the district's decision not to offer {{ grievant_name }} reemployment{% if worksite %} at {{ worksite }}{% endif %}.

Under the same section, please provide, at least fourteen (14) days before the hearing: written notice of the reasons for nonreemployment, a summary of the factual basis for them, a list of the witnesses the district intends to call and a copy of the documents that support the reasons.{% if hearing_date %} The hearing is scheduled for {{ hearing_date|date:"F j, Y" }}.{% endif %}

{{ grievant_name }} will be represented by the Mississippi Association of Educators. Please send all notices about the hearing to {{ grievant_name }} and to me.

Sincerely,

{{ director_name }}
UniServ Director, {{ region }}
Mississippi Association of Educators
{{ director_email }}

Employee:
{% for grievant in grievants %}{{ grievant.address }}
{% endfor %}"""

RECORDS_REQUEST = """{{ today|date:"F j, Y" }}

Public Records Officer
{{ district }}

Re: Request for records about {{ grievant_names }} (MAE case {{ case_number }})

Under the Mississippi Public Records Act of 1983 (Miss. Code Ann. 25-61-1 and following), and with the written authorization of {{ grievant_names }}, I request a copy of:

1. The personnel file of {{ grievant_names }}, including evaluations, reprimands and letters placed in it.
2. Every record about the matter in question ({{ issue|lower }}){% if supervisor %}, including the notes and correspondence of {{ supervisor }}{% endif %}.
3. The district policy{% if policy_cited %} ({{ policy_cited }}){% endif %} in force on {{ filed_on|date:"F j, Y" }}.

Section 25-61-5 asks the district to produce the records, or to say in writing why it cannot, within seven working days. If there is a fee, please tell me the amount before copying.

Sincerely,

{{ director_name }}
UniServ Director, {{ region }}
Mississippi Association of Educators
{{ director_email }}
"""

TEMPLATES = [
    ("Level 1 grievance filing", "grievance", GRIEVANCE_FILING),
    ("Hearing request (Miss. Code 37-9-109)", "nonrenewal", HEARING_REQUEST),
    ("Public records request", "", RECORDS_REQUEST),
]


def load(apps, schema_editor):
    LetterTemplate = apps.get_model("advocacy", "LetterTemplate")
    for name, case_kind, body in TEMPLATES:
        LetterTemplate.objects.get_or_create(name=name, defaults={"case_kind": case_kind, "body": body})


class Migration(migrations.Migration):
    dependencies = [("advocacy", "0003_request_submission_key")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
