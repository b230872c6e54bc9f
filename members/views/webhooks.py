"""Payment gateway webhooks and the sandbox's hosted checkout."""

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mae_portal.access import get_visible_or_404
from members import clock
from members.forms.sandbox import SandboxBankForm, SandboxCardForm
from members.models import Payment
from members.selectors.payments import payments_visible_to_member
from members.services.gateways.base import InvalidWebhook
from members.services.gateways.registry import GATEWAYS, get_gateway
from members.services.gateways.sandbox import SandboxGateway
from members.services.payments import gateway_event_handle

logger = logging.getLogger(__name__)


def webhook_deliver(*, gateway_name: str, body: bytes, meta: dict) -> tuple[int, str]:
    """Verify and apply one gateway event: (400, reason) for a bad signature or body, else (200, what happened).
    The webhook view and the sandbox checkout both come through here."""
    gateway = get_gateway(gateway_name)
    try:
        outcome = gateway.parse_webhook(body=body, meta=meta)
    except InvalidWebhook as exc:
        logger.warning("Refused a %s webhook: %s", gateway_name, exc)
        return 400, "invalid"
    result = gateway_event_handle(gateway=gateway_name, outcome=outcome)
    logger.info("%s webhook %s %s: %s", gateway_name, outcome.event_type, outcome.event_id, result)
    return 200, result


def _gateway_enabled(name: str) -> bool:
    return name in GATEWAYS and (name != SandboxGateway.name or settings.PAYMENT_GATEWAY == SandboxGateway.name)


@csrf_exempt
@require_POST
def payment_webhook(request, gateway):
    if not _gateway_enabled(gateway):
        raise Http404
    status, result = webhook_deliver(gateway_name=gateway, body=request.body, meta=request.META)
    return HttpResponse(result, status=status, content_type="text/plain")


@login_required
def sandbox_checkout(request, token):
    """The sandbox's stand-in for a hosted checkout page. Its outcome goes back as a signed event."""
    if not _gateway_enabled(SandboxGateway.name):
        raise Http404
    try:
        data = SandboxGateway.read_checkout_token(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    payment = get_visible_or_404(payments_visible_to_member(request.user).select_related("term__category", "member"),
                                 idempotency_key=data.get("p", ""))
    if payment.status != Payment.Status.PENDING:
        return redirect("members:payment_return", payment.pk)
    gateway = SandboxGateway()
    bank = payment.method == Payment.Method.BANK_DRAFT
    form = (SandboxBankForm(request.POST or None) if bank
            else SandboxCardForm(request.POST or None, today=clock.today()))
    if request.method == "POST" and form.is_valid():
        if bank:
            account = form.cleaned_data["account"]
            ok, message, label = gateway.outcome_for_account(form.cleaned_data["routing"], account)
            method_token = f"sbx_acct_{account}"
        else:
            number = form.cleaned_data["number"]
            ok, message, label = gateway.outcome_for_card(number)
            method_token = f"sbx_card_{number[-4:]}"
        event = gateway.build_event(payment_key=payment.idempotency_key, succeeded=ok, message=message,
                                    method_label=label, method_token=method_token, amount=payment.amount)
        body = json.dumps(event).encode()
        webhook_deliver(gateway_name=gateway.name, body=body, meta={gateway.SIGNATURE_HEADER: gateway.sign(body)})
        return redirect(_safe(request, data.get("ok")) or reverse("members:payment_return", args=[payment.pk]))
    return render(request, "members/membership/sandbox_checkout.html", {
        "form": form, "payment": payment, "bank": bank, "cards": SandboxGateway.CARDS,
        "accounts": SandboxGateway.ACCOUNTS, "routing": SandboxGateway.ROUTING,
        "cancel_url": _safe(request, data.get("no")) or reverse("dashboard"),
    })


def _safe(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return None
