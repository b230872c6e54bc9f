"""ESP careers and the ESP of the Year award.

- content.py: staff-edited ESP pages (what MAE does for ESPs, the ESP Bill of Rights), career-field
  resources, spotlight stories.
- awards.py: award cycles with their dates, eligibility rules, rubric (criteria and weights) and materials.
- nominations.py: nominations, the nominee's statements, letters of support, endorsements, screening.
- reviews.py: conflicts, assignments, reviews and scores (review and interview rounds), results.
"""

from esp.models.awards import AwardCycle, Criterion  # noqa: F401
from esp.models.content import CareerFieldResource, EspPage, SpotlightStory  # noqa: F401
from esp.models.nominations import Nomination, NominationStatement, SupportLetter  # noqa: F401
from esp.models.reviews import Conflict, Review, ReviewAssignment, Score  # noqa: F401
