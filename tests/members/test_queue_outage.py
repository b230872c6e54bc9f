"""A member pays while the broker is down: nothing is lost, and nothing happens twice.

The payment's follow-ups (receipt, card, coverage letter, welcome email) are rows written in the
payment's own transaction; the hand-off to Celery after the commit fails quietly. When the broker is
back, the outbox sweep hands every row to a real worker, which builds and sends each exactly once.
"""

import os
import time

import pytest
from django.utils import timezone

from mae_portal.models import EmailDelivery, StoredDocument
from mae_portal.tasks import sweep_outbox
from members.models import MembershipCategory, Payment
from members.services.gateways.sandbox import SandboxGateway
from members.services.join import membership_join
from tests.conftest import _free_port
from tests.portal.celery_harness import (  # noqa: F401 - fixtures
    _test_database,
    celery_worker_process,
    committed_db,
    redis_broker,
    use_broker,
)

CARD = {"number": "4242 4242 4242 4242", "expiry": "04/29", "cvc": "123", "name": "Tamika Shelton"}
FOLLOW_UPS = {"receipt", "card", "coverage_letter"}


@pytest.fixture
def broker_url():
    return os.environ.get("MAE_TEST_OUTAGE_BROKER_URL", "redis://127.0.0.1:6379/7")


@pytest.mark.celery_worker
def test_a_card_payment_with_the_broker_down_confirms_and_the_sweep_finishes_it_once(
        transactional_db, member, client, celery_worker_process, redis_broker, broker_url, smtp_sink, tmp_path):  # noqa: F811
    use_broker(f"redis://127.0.0.1:{_free_port()}/7")  # nothing listens there
    payment = membership_join(member=member.member, category=MembershipCategory.objects.get(code="esp-full-time"),
                              plan_kind="annual", authorization=None, actor=member, today=timezone.localdate(), form_token="outage-1")
    checkout = SandboxGateway().start_checkout(payment=payment, plan=None, success_url=f"/members/payments/{payment.pk}/",
                                               cancel_url="/dashboard/")
    client.force_login(member)

    started = time.monotonic()
    paid = client.post(checkout, CARD)
    confirmation = client.get(paid["Location"])
    assert time.monotonic() - started < 10
    assert paid.status_code == 302 and confirmation.status_code == 200
    assert "You're a member." in confirmation.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED

    documents = StoredDocument.objects.filter(owner=member)
    assert {d.kind: d.status for d in documents} == dict.fromkeys(FOLLOW_UPS, StoredDocument.Status.PENDING)
    welcome = EmailDelivery.objects.get(template_name="membership-welcome")
    assert welcome.status == EmailDelivery.Status.QUEUED and welcome.to == member.email

    use_broker(broker_url)  # the broker is back
    worker = celery_worker_process(smtp_sink.port, OUTBOX_SWEEP_AFTER_MINUTES=0)
    worker.wait_ready()
    sweep_outbox.delay()
    sweep_outbox.delay()  # a second sweep at once finds the rows just handed over and leaves them
    worker.wait_for(lambda: documents.filter(status=StoredDocument.Status.READY).count() == 3, "the documents")
    worker.wait_for(lambda: EmailDelivery.objects.get(pk=welcome.pk).status == EmailDelivery.Status.SENT, "the email")
    worker.wait_for(lambda: len(worker.events("succeeded", "mae_portal.tasks.sweep_outbox")) >= 2, "both sweeps")
    time.sleep(1)

    # The second sweep may hand a document over again before its first build ran (the test sweeps with
    # no grace period); that task finds it ready and renders nothing: one row and one file of each.
    assert len(worker.events("succeeded", "mae_portal.tasks.build_document")) >= 3, worker.log()
    assert not worker.events("failed", "mae_portal.tasks.build_document"), worker.log()
    built = list(documents.all())
    assert sorted(d.kind for d in built) == sorted(FOLLOW_UPS)
    assert all(d.file.name and d.size > 0 for d in built), [(d.kind, d.file.name, d.size) for d in built]
    assert len([p for p in (tmp_path / "media").rglob("*") if p.is_file()]) == 3
    assert EmailDelivery.objects.filter(template_name="membership-welcome").count() == 1
    assert [m["Subject"] for m in smtp_sink.messages] == [welcome.subject]
