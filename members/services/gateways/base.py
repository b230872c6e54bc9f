"""What every payment gateway returns: a verified event's outcome, or a refusal."""

from dataclasses import dataclass, field
from decimal import Decimal


class InvalidWebhook(Exception):
    """The body or its signature did not check out; the view answers 400."""


@dataclass
class GatewayOutcome:
    event_id: str
    event_type: str
    payment_key: str | None  # Payment.idempotency_key the event is about
    succeeded: bool | None  # None: an event we record but do not act on
    reference: str = ""
    message: str = ""
    customer: str = ""
    payment_method: str = ""
    payment_method_label: str = ""
    payload: dict = field(default_factory=dict)
    amount: Decimal | None = None  # what the gateway says it charged (compared with the payment before applying)
    currency: str = ""  # ISO 4217, lowercase as gateways send it


# Every gateway also answers reconcile(payment) -> GatewayOutcome | None: asked again about a payment it was sent
# (by its idempotency key) when no answer came; None when it has no record of it.
