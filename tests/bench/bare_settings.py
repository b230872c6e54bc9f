"""Settings for the benchmark's bare view only (tests/bench/bench_pages.py): the portal's settings, middleware
included, with a URLconf of one view. Never used by the portal itself."""

from mae_portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.bare_urls"
