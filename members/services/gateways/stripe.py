"""Stripe: hosted Checkout and its webhooks."""

import json
from decimal import Decimal

from django.conf import settings

from members.services.gateways.base import GatewayOutcome, InvalidWebhook


class StripeGateway:
    """Stripe Checkout for cards (mode=payment) and us_bank_account for drafts (saved for later
    off-session PaymentIntents). Webhooks are verified with the endpoint secret."""

    name = "stripe"
    SIGNATURE_HEADER = "HTTP_STRIPE_SIGNATURE"

    def _stripe(self):
        import stripe

        stripe.api_key = settings.STRIPE_SECRET_KEY
        return stripe

    @staticmethod
    def _cents(amount: Decimal) -> int:
        return int((amount * 100).to_integral_value())

    def start_checkout(self, *, payment, plan, success_url: str, cancel_url: str) -> str:
        stripe = self._stripe()
        bank = plan is not None and plan.is_installment
        params = {
            "mode": "payment",
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": payment.idempotency_key,
            "customer_email": payment.member.email or None,
            "payment_method_types": ["us_bank_account"] if bank else ["card"],
            "line_items": [{
                "quantity": 1,
                "price_data": {"currency": "usd", "unit_amount": self._cents(payment.amount),
                               "product_data": {"name": f"MAE membership dues {payment.term.year_label}"}},
            }],
            "metadata": {"payment": payment.idempotency_key},
            "payment_intent_data": {"metadata": {"payment": payment.idempotency_key}},
        }
        if bank:
            params["customer_creation"] = "always"
            params["payment_intent_data"]["setup_future_usage"] = "off_session"
        session = stripe.checkout.Session.create(**params, idempotency_key=f"checkout-{payment.idempotency_key}")
        return session.url

    def charge_saved_method(self, *, payment, plan) -> dict | None:
        stripe = self._stripe()
        stripe.PaymentIntent.create(
            amount=self._cents(payment.amount), currency="usd", customer=plan.gateway_customer,
            payment_method=plan.gateway_payment_method, payment_method_types=["us_bank_account"],
            off_session=True, confirm=True, metadata={"payment": payment.idempotency_key},
            idempotency_key=f"draft-{payment.idempotency_key}",
        )
        return None  # the outcome arrives later by webhook (ACH takes days)

    def parse_webhook(self, *, body: bytes, meta: dict) -> GatewayOutcome:
        stripe = self._stripe()
        try:
            stripe.Webhook.construct_event(body, meta.get(self.SIGNATURE_HEADER, ""), settings.STRIPE_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise InvalidWebhook(str(exc)) from exc
        payload = json.loads(body)
        obj = payload["data"]["object"]
        kind = payload["type"]
        succeeded = {
            "checkout.session.completed": True if obj.get("payment_status") == "paid" else None,
            "checkout.session.async_payment_succeeded": True,
            "checkout.session.async_payment_failed": False,
            "payment_intent.succeeded": True if obj.get("object") == "payment_intent" and not obj.get("invoice") else None,
            "payment_intent.payment_failed": False,
        }.get(kind)
        error = obj.get("last_payment_error") or {}
        cents = obj.get("amount_total") if obj.get("object") == "checkout.session" else obj.get("amount")
        return GatewayOutcome(
            event_id=payload["id"], event_type=kind,
            payment_key=(obj.get("metadata") or {}).get("payment") or obj.get("client_reference_id"),
            succeeded=succeeded,
            reference=obj.get("payment_intent") or obj.get("id", ""),
            message=error.get("message", "") if succeeded is False else "",
            customer=obj.get("customer") or "",
            payment_method=obj.get("payment_method") or "",
            payment_method_label="Bank account" if "us_bank_account" in (obj.get("payment_method_types") or []) else "Card",
            payload=payload, amount=self._dollars(cents), currency=obj.get("currency") or "",
        )

    @staticmethod
    def _dollars(cents) -> Decimal | None:
        return None if cents is None else Decimal(int(cents)) / 100

    # PaymentIntent statuses: what the portal does with each when it asks again.
    _SETTLED = {"succeeded": True, "requires_payment_method": False, "canceled": False}

    def reconcile(self, *, payment) -> GatewayOutcome | None:
        """Ask Stripe again about a draft that got no answer: the PaymentIntent carrying the payment's idempotency
        key in its metadata (set by charge_saved_method). None if Stripe has none (the request never reached it).
        A draft still processing (ACH takes days) comes back with succeeded=None: recorded, not acted on."""
        stripe = self._stripe()
        found = stripe.PaymentIntent.search(query=f"metadata['payment']:'{payment.idempotency_key}'", limit=1)
        intents = list(found.data)
        if not intents:
            return None
        intent = intents[0]
        status = intent.get("status", "")
        error = intent.get("last_payment_error") or {}
        succeeded = self._SETTLED.get(status)
        return GatewayOutcome(
            event_id=f"reconcile_{intent['id']}_{status}", event_type=f"payment_intent.reconciled.{status}",
            payment_key=payment.idempotency_key, succeeded=succeeded, reference=intent["id"],
            message=(error.get("message") or "The bank did not take the draft.") if succeeded is False else "",
            customer=intent.get("customer") or "", payment_method=intent.get("payment_method") or "",
            payment_method_label="Bank account", payload={"reconciled": dict(intent)},
            amount=self._dollars(intent.get("amount")), currency=intent.get("currency") or "",
        )
