"""ESP content benchmark: the career fields' live member counts on a large roster, uncached and cached.

Not a test (pytest does not collect it); it asserts nothing about seconds and prints figures.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/mae_c \\
        .venv/bin/python tests/bench/bench_esp_content.py --members 100000

Like bench_membership.py (whose loader it uses), it drops and creates its own database (mae_bench_esp unless
--database says otherwise), then times esp.selectors.content.career_field_member_counts with the cache empty
(the one query that counts every field's active members), and GET /esp/careers/food-services/ with the count
cached, as a visitor gets it for the next MEMBER_COUNT_SECONDS."""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_membership import best_of, bulk_load, recreate_database  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database", default="mae_bench_esp", help="dropped and created (default mae_bench_esp)")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a PostgreSQL server the benchmark may create a database on.")
    os.environ.setdefault("DEBUG", "true")
    os.environ["DJANGO_SETTINGS_MODULE"] = "mae_portal.settings"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["EMAIL_URL"] = "dummymail://"
    recreate_database(args.database)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from esp.selectors.content import MEMBER_COUNT_SECONDS, career_field_member_counts
    from members.demo import load_demo

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    load_demo(member_count=0, today=today)
    loaded = bulk_load(args.members, today=today)
    print(f"Bulk load: {loaded['members']:,} members, {loaded['terms']:,} terms in {loaded['seconds']:.1f} s")

    def uncached():
        cache.clear()
        return career_field_member_counts(today=today)

    uncached()  # warm PostgreSQL's buffers
    runs = sorted(best_of(1, uncached)[0] for _ in range(5))
    counts = uncached()
    print(f"\nCounting the nine fields' active members (cache empty): median {statistics.median(runs) * 1000:.1f} ms "
          f"of 5, {sum(counts.counts.values()):,} active ESP members")
    client = Client()
    client.get("/esp/careers/food-services/")
    pages = sorted(best_of(1, lambda: client.get("/esp/careers/food-services/"))[0] for _ in range(20))
    print(f"GET /esp/careers/food-services/ with the counts cached: median {statistics.median(pages) * 1000:.1f} ms "
          f"of 20 (the counts are kept {MEMBER_COUNT_SECONDS} s)")


if __name__ == "__main__":
    main()
