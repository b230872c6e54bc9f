"""The gateways the portal knows, by name."""

from django.conf import settings

from members.services.gateways.sandbox import SandboxGateway
from members.services.gateways.stripe import StripeGateway

GATEWAYS = {"sandbox": SandboxGateway, "stripe": StripeGateway}


def get_gateway(name: str | None = None):
    return GATEWAYS[name or settings.PAYMENT_GATEWAY]()
