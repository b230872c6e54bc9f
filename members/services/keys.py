"""The idempotency keys the payment services make from a form's token. Their format lives here only: a view
passes the token of the form it showed (forms.tokens.TokenForm) and never builds a key."""


def chosen(*, idempotency_key: str | None, form_token, make) -> str:
    """The key a service runs under: the caller's own key (nightly jobs, demo data), else one made from the
    form's token by `make(form_token)`."""
    if idempotency_key:
        return idempotency_key
    if not form_token:
        raise ValueError("A payment service needs an idempotency_key or a form_token.")
    return make(str(form_token))


def first_payment(key: str) -> str:
    """The key of the first payment a join or a plan change makes under `key`."""
    return f"{key}:first"


def join(member_pk: int):
    return lambda token: f"join:{member_pk}:{token}"


def plan_change(member_pk: int):
    return lambda token: f"plan:{member_pk}:{token}"


def retry(payment_pk: int):
    return lambda token: f"retry:{payment_pk}:{token}"


def staff(action: str):
    """Staff forms: join, payment, refund, adjust."""
    return lambda token: f"staff-{action}:{token}"


def balance(term_pk: int):
    """"Pay the remaining" of a term."""
    return lambda token: f"balance:{term_pk}:{token}"
