"""The error every membership service raises when a rule refuses a request."""


class MembershipError(Exception):
    """A rule of membership refused the request; the message is for the member or staff to read."""
