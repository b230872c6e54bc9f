"""The static files' storage in production: whitenoise's compressed, hashed-name storage, whose addresses are worked
out once per process. The manifest does not change while a process runs (collectstatic runs before it starts),
and every page asks for the same few addresses: the layout's stylesheet, scripts and icons."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)  # a name not in the manifest raises, and is not kept
            return url
