"""Placeholder: replaced by the deadline engine's services (case_deadlines_refresh and friends)."""


def case_deadlines_refresh(*, case, today=None):
    """(Re)compute the deadlines of `case` from its events. Placeholder until the deadline engine lands."""
    return []
