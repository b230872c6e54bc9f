"""What every payment gateway returns: a verified event's outcome, or a refusal."""

from dataclasses import dataclass, field


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
