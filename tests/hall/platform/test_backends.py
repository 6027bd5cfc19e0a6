"""Choosing PostgreSQL/Redis when they answer and the embedded defaults when they do not."""

from hall.platform import backends


def answers(*open_ports):
    return lambda host, port: (host, port) in open_ports


def test_database_prefers_explicit_url():
    choice = backends.choose_database({"DATABASE_URL": "postgres://u:p@db:5432/x"}, answers())
    assert choice.url == "postgres://u:p@db:5432/x"
    assert not choice.embedded


def test_database_uses_local_postgres_when_it_answers():
    choice = backends.choose_database({}, answers(backends.LOCAL_POSTGRES))
    assert choice.url == backends.LOCAL_POSTGRES_URL
    assert not choice.embedded


def test_database_falls_back_to_sqlite_file(tmp_path):
    choice = backends.choose_database({"HALL_VAR_DIR": str(tmp_path)}, answers())
    assert choice.embedded
    assert choice.url == f"sqlite:///{tmp_path}/hall.sqlite3"
    assert "SQLite" in choice.reason


def test_broker_prefers_celery_url_over_redis_url():
    environ = {"CELERY_BROKER_URL": "redis://a:6379/1", "REDIS_URL": "redis://b:6379/2"}
    assert backends.choose_broker(environ, answers()).url == "redis://a:6379/1"
    assert backends.choose_broker({"REDIS_URL": "redis://b:6379/2"}, answers()).url.endswith("/2")


def test_broker_uses_local_redis_then_filesystem():
    assert backends.choose_broker({}, answers(backends.LOCAL_REDIS)).url == backends.LOCAL_REDIS_URL
    fallback = backends.choose_broker({}, answers())
    assert fallback.url == "filesystem://"
    assert fallback.embedded


def test_describe_names_both_choices_and_hides_passwords():
    text = backends.describe(
        {"DATABASE_URL": "postgres://hall:s3cret@db/hall", "CELERY_BROKER_URL": "filesystem://"}
    )
    assert "s3cret" not in text
    assert "database: postgres://hall:***@db/hall" in text
    assert "broker: filesystem:// (embedded fallback" in text


def test_port_answers_reports_closed_port():
    assert backends.port_answers("127.0.0.1", 1, timeout=0.2) is False
