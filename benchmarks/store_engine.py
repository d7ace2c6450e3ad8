"""What opening the store costs: ``create_store_engine`` on a new (empty) store and on a store
already up to date, on SQLite (a temporary folder) and PostgreSQL (a throwaway database),
median and worst of N, in milliseconds. Tests open a new store per test, so this is their
fixed cost:

    .venv/bin/python -m benchmarks.store_engine [--repeat 20]
        [--postgres postgresql+psycopg2://postgres@127.0.0.1:5432/postgres | --no-postgres]
"""

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text

from store.db import create_store_engine


def _timed(open_store: Callable[[int], str], repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds to open each of ``repeat`` new stores, then to open each again."""
    new: list[float] = []
    again: list[float] = []
    for number in range(repeat):
        url = open_store(number)
        for samples in (new, again):
            started = time.perf_counter()
            create_store_engine(url).dispose()
            samples.append((time.perf_counter() - started) * 1000)
    return new, again


def _print(label: str, samples: list[float]) -> None:
    print(f"{label:<28} median {statistics.median(samples):7.1f} ms   worst {max(samples):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    create_store_engine("sqlite://").dispose()  # imports and first-use caches out of the figures

    with tempfile.TemporaryDirectory() as folder:
        new, again = _timed(lambda n: f"sqlite:///{Path(folder) / f'{n}.db'}", args.repeat)
    _print("sqlite, new store", new)
    _print("sqlite, up-to-date store", again)
    if args.no_postgres:
        return

    admin_url: str = args.postgres
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    names = [f"tillsync_bench_{uuid.uuid4().hex[:10]}" for _ in range(args.repeat)]

    def new_database(number: int) -> str:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{names[number]}"'))
        return admin_url.rsplit("/", 1)[0] + f"/{names[number]}"

    try:
        new, again = _timed(new_database, args.repeat)
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    _print("postgresql, new store", new)
    _print("postgresql, up-to-date store", again)


if __name__ == "__main__":
    main()
