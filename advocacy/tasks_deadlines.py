"""The deadline engine's periodic job (imported by advocacy.portal, so every worker registers it).

Nightly, every open deadline without an override is recomputed: a new release of the `holidays` package
(a holiday added or moved by law) reaches computed dates without anyone editing a table. The job changes
no status: "overdue" is computed when a page is shown, and "missed" is only recorded from the timeline.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="advocacy.recompute_deadlines")
def recompute_deadlines(district_ids: list[int] | None = None):
    from advocacy.services.deadlines import deadlines_recompute

    counts = deadlines_recompute(district_ids=district_ids)
    if counts["failed"]:
        logger.error("deadline recompute: %(failed)s of %(checked)s deadlines could not be computed", counts)
    else:
        logger.info("deadline recompute: %(changed)s of %(checked)s deadlines changed", counts)
    return counts
