"""Uploads on a request and on a case go through the core's checks: each bad case is refused with a
sentence, next to the field, and nothing is stored (no request, no document row, no file)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advocacy.models import CaseDocument, RepresentationRequest
from mae_portal.models import StoredDocument
from tests.advocacy import cases_fixtures
from tests.advocacy.cases_fixtures import INCIDENT, case_for, pdf_file
from tests.portal.test_uploads import REFUSED, good_pdf, stored_files

today = cases_fixtures.today  # a fixture

BAD = [r for r in REFUSED if r[0] in ("oversize", "html named .pdf", "MZ named .docx", "PDF with /JS",
                                      "PDF with JS in a compressed stream", "PNG named .jpg", "zero bytes")]


def help_data(world, **files):
    return {"summary": "Reprimand", "what_happened": "It happened.", "incident_date": INCIDENT.isoformat(),
            "district": world.district_a.pk, "outcome_sought": "Remove it.", "urgency": "routine",
            "submission_key": "k", **files}


@pytest.mark.parametrize(("name", "data", "message"), [r[1:] for r in BAD], ids=[r[0] for r in BAD])
def test_a_bad_file_with_the_request_stores_nothing(client, member, world, director, settings, today, name, data, message):
    client.force_login(member)
    good = pdf_file("good-one.pdf")  # a good file before the bad one is not kept either
    response = client.post(reverse("advocacy:help"), help_data(
        world, documents=[good, SimpleUploadedFile(name, data, content_type="application/pdf")]))
    assert response.status_code == 200
    html = response.content.decode()
    html = html.replace("&#x27;", "'")
    assert message.split("(")[0].strip()[:20] in html or "The submitted file is empty" in html  # Django's own check
    assert 'id="id_documents-error"' in html  # next to the field
    assert RepresentationRequest.objects.count() == 0
    assert StoredDocument.objects.count() == 0 and CaseDocument.objects.count() == 0
    assert stored_files(settings) == []


@pytest.mark.parametrize(("name", "data", "message"), [r[1:] for r in BAD], ids=[r[0] for r in BAD])
def test_a_bad_file_on_a_case_stores_nothing(client, member, director, settings, name, data, message):
    case = case_for(member, director)
    for user, url in ((director, reverse("advocacy:case_documents", args=[case.pk])),
                      (member, reverse("advocacy:my_case_documents", args=[case.pk]))):
        client.force_login(user)
        response = client.post(url, {"documents": [SimpleUploadedFile(name, data)]})
        assert response.status_code == 400
        assert StoredDocument.objects.count() == 0 and stored_files(settings) == []


def test_a_traversal_name_is_stored_safely(client, member, director, settings):
    case = case_for(member, director)
    client.force_login(director)
    client.post(reverse("advocacy:case_documents", args=[case.pk]),
                {"documents": [SimpleUploadedFile("../../etc/passwd.pdf", good_pdf())]})
    document = StoredDocument.objects.get()
    assert document.title == "passwd.pdf" and ".." not in document.file.name
    assert Path(document.file.name).name == f"{document.pk}.pdf"
    files = stored_files(settings)
    assert len(files) == 1 and Path(settings.MEDIA_ROOT) in files[0].parents
    response = client.get(reverse("advocacy:case_document", args=[case.pk, document.pk]))
    assert 'filename="passwd.pdf"' in response["Content-Disposition"]


def test_several_good_files_on_one_case(client, member, director):
    case = case_for(member, director)
    client.force_login(director)
    client.post(reverse("advocacy:case_documents", args=[case.pk]),
                {"documents": [pdf_file("a.pdf"), pdf_file("b.pdf")], "shared": "on"})
    client.post(reverse("advocacy:case_documents", args=[case.pk]), {"documents": [pdf_file("c.pdf")]})
    assert sorted(case.documents.values_list("document__title", "shared")) == [("a.pdf", True), ("b.pdf", True),
                                                                               ("c.pdf", False)]
