"""The sandbox gateway: a stand-in checkout with test cards and bank accounts, and signed events."""

import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.urls import reverse

from members.services.gateways.base import GatewayOutcome, InvalidWebhook


class SandboxGateway:
    """A gateway that lives inside the portal. Its checkout page documents the test numbers; it calls
    back through the same signed-webhook code path as a real gateway.

    Cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 is
    declined for insufficient funds, 4000 0000 0000 0119 fails with a processing error.
    Bank accounts (routing 110000000): account 000123456789 succeeds, 000111111116 fails (closed
    account), 000222222227 fails with insufficient funds, on every later draft as well.
    """

    name = "sandbox"
    SIGNATURE_HEADER = "HTTP_X_SANDBOX_SIGNATURE"
    TOLERANCE_SECONDS = 300

    CARDS = {
        "4242424242424242": (True, ""),
        "4000000000000002": (False, "Your card was declined."),
        "4000000000009995": (False, "Your card was declined for insufficient funds."),
        "4000000000000119": (False, "The card processor had an error. Please try again."),
    }
    ACCOUNTS = {
        "000123456789": (True, ""),
        "000111111116": (False, "The bank reports this account is closed."),
        "000222222227": (False, "The bank returned the draft for insufficient funds."),
    }
    ROUTING = "110000000"

    def start_checkout(self, *, payment, plan, success_url: str, cancel_url: str) -> str:
        token = signing.dumps({"p": payment.idempotency_key, "ok": success_url, "no": cancel_url}, salt="sandbox-checkout")
        return reverse("members:sandbox_checkout", args=[token])

    @staticmethod
    def read_checkout_token(token: str) -> dict:
        return signing.loads(token, salt="sandbox-checkout", max_age=60 * 60 * 24)

    def outcome_for_card(self, number: str) -> tuple[bool, str, str]:
        digits = "".join(ch for ch in number if ch.isdigit())
        ok, message = self.CARDS.get(digits, (False, "Use one of the sandbox card numbers listed on this page."))
        return ok, message, f"Card ending {digits[-4:]}" if digits else ""

    def outcome_for_account(self, routing: str, account: str) -> tuple[bool, str, str]:
        if routing != self.ROUTING:
            return False, "The bank could not find that routing number.", ""
        ok, message = self.ACCOUNTS.get(account, (False, "The bank could not find that account."))
        return ok, message, f"Checking ending {account[-4:]}"

    def build_event(self, *, payment_key: str, succeeded: bool, message: str, method_label: str, method_token: str,
                    amount: Decimal, currency: str = "usd", event_id: str | None = None) -> dict:
        return {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "amount": str(amount),
            "currency": currency,
            "type": "payment.succeeded" if succeeded else "payment.failed",
            "payment": payment_key,
            "reference": f"sbx_{uuid.uuid4().hex[:20]}",
            "message": message,
            "customer": f"sbx_cus_{hashlib.sha256(payment_key.encode()).hexdigest()[:12]}",
            "payment_method": method_token,
            "payment_method_label": method_label,
        }

    def sign(self, body: bytes, timestamp: int | None = None) -> str:
        timestamp = int(time.time()) if timestamp is None else timestamp
        digest = hmac.new(settings.SANDBOX_WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
        return f"t={timestamp},v1={digest.hexdigest()}"

    def charge_saved_method(self, *, payment, plan) -> dict:
        """Draft an installment from the saved account; the outcome comes back as a signed event."""
        account = plan.gateway_payment_method.removeprefix("sbx_acct_")
        ok, message, label = self.outcome_for_account(self.ROUTING, account)
        return self.build_event(payment_key=payment.idempotency_key, succeeded=ok, message=message,
                                method_label=label, method_token=plan.gateway_payment_method, amount=payment.amount)

    def reconcile(self, *, payment):
        """Asked again about a draft that got no answer: the sandbox's bank answers the same for the same saved
        account every time (as a real one does for the same idempotency key), so it answers for drafts from a
        saved sandbox account, under one event id per payment (asking twice is a replay). Anything else it
        never saw: None."""
        plan = payment.term.plan
        if payment.method != payment.Method.BANK_DRAFT or plan is None or not plan.gateway_payment_method.startswith("sbx_acct_"):
            return None
        event = self.charge_saved_method(payment=payment, plan=plan)
        event["id"] = f"evt_reconcile_{hashlib.sha256(payment.idempotency_key.encode()).hexdigest()[:24]}"
        return self._outcome(event)

    def parse_webhook(self, *, body: bytes, meta: dict) -> GatewayOutcome:
        header = meta.get(self.SIGNATURE_HEADER, "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        try:
            timestamp = int(parts.get("t", ""))
        except ValueError as exc:
            raise InvalidWebhook("missing timestamp") from exc
        if abs(time.time() - timestamp) > self.TOLERANCE_SECONDS:
            raise InvalidWebhook("stale signature")
        expected = self.sign(body, timestamp).split("v1=")[1]
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise InvalidWebhook("bad signature")
        try:
            return self._outcome(json.loads(body))
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            raise InvalidWebhook("malformed event") from exc

    @staticmethod
    def _outcome(event: dict) -> GatewayOutcome:
        return GatewayOutcome(
            event_id=event["id"], event_type=event["type"], payment_key=event.get("payment"),
            succeeded={"payment.succeeded": True, "payment.failed": False}.get(event["type"]),
            reference=event.get("reference", ""), message=event.get("message", ""),
            customer=event.get("customer", ""), payment_method=event.get("payment_method", ""),
            payment_method_label=event.get("payment_method_label", ""), payload=event,
            amount=Decimal(event["amount"]) if event.get("amount") is not None else None,
            currency=event.get("currency", ""),
        )
