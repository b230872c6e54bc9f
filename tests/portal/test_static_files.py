"""Production's static storage works each address out once per process, and answers as whitenoise's does."""

import json

import pytest
from whitenoise.storage import CompressedManifestStaticFilesStorage

from mae_portal.static_files import StaticFilesStorage


@pytest.fixture
def root(tmp_path, settings):
    settings.STATIC_URL = "/static/"
    (tmp_path / "staticfiles.json").write_text(json.dumps(
        {"paths": {"css/site.css": "css/site.0123456789ab.css"}, "version": "1.1", "hash": "x"}))
    return tmp_path


def test_an_address_is_the_manifests_and_worked_out_once(root, monkeypatch):
    storage, plain = StaticFilesStorage(location=root), CompressedManifestStaticFilesStorage(location=root)
    assert storage.url("css/site.css") == plain.url("css/site.css") == "/static/css/site.0123456789ab.css"
    calls = []
    monkeypatch.setattr(CompressedManifestStaticFilesStorage, "url", lambda self, name, force=False: calls.append(name))
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert calls == []


def test_a_name_missing_from_the_manifest_still_raises_each_time(root):
    storage = StaticFilesStorage(location=root)
    for _ in range(2):
        with pytest.raises(ValueError):
            storage.url("css/missing.css")
