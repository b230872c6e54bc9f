from mae_portal.emails import send_email
from mae_portal.models import EmailDelivery
from tests.factories import MemberFactory, UserFactory


def test_document_ready_email_reaches_real_smtp_once(smtp_sink, django_capture_on_commit_callbacks, db):
    user = UserFactory()
    member = MemberFactory(user=user)
    for _ in range(2):  # a double submit with the same key
        with django_capture_on_commit_callbacks(execute=True):
            send_email("document-ready", user.email, {"name": member.display_name, "document": {"title": "Test"}},
                       idempotency_key="k-1")
    assert EmailDelivery.objects.count() == 1
    assert len(smtp_sink.messages) == 1
    assert smtp_sink.messages[0]["To"] == user.email
