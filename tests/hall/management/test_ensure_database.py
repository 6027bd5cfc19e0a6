"""`manage.py ensure_database` creates a missing PostgreSQL database, once."""

import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.postgres
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_creates_a_missing_database_and_leaves_an_existing_one(db):
    name = f"hall_ensure_{uuid.uuid4().hex[:8]}"
    database = {**settings.DATABASES["default"], "NAME": name}
    admin = {
        "host": database["HOST"],
        "port": database["PORT"] or 5432,
        "user": database["USER"],
        "dbname": "postgres",
        "autocommit": True,
    }
    try:
        with override_settings(DATABASES={"default": database}):
            call_command("ensure_database")
            call_command("ensure_database")  # a second run does nothing
        with psycopg.connect(**admin) as conn:
            found = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
            assert found.fetchone()[0] == 1
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
