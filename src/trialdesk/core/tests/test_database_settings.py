"""DATABASES from the environment: Django's PostgreSQL connection pool when DB_POOL_MAX is set."""

from trialdesk.settings import database_settings

URL = "postgres://trialdesk:secret@db.example:5432/trialdesk"


def test_pool_from_db_pool_max_with_conn_max_age_zero(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.setenv("DB_POOL_MAX", "8")
    monkeypatch.setenv("DB_POOL_MIN", "2")
    monkeypatch.setenv("DB_CONN_MAX_AGE", "600")  # ignored: the pool keeps the connections
    config = database_settings()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 8, "timeout": 10.0}
    assert config["CONN_MAX_AGE"] == 0


def test_without_db_pool_max_one_persistent_connection(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", URL)
    monkeypatch.delenv("DB_POOL_MAX", raising=False)
    monkeypatch.setenv("DB_CONN_MAX_AGE", "30")
    config = database_settings()
    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 30


def test_no_pool_on_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DB_POOL_MAX", "8")
    assert "pool" not in database_settings()["OPTIONS"]
