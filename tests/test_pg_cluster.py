"""The PostgreSQL fixture gives a real, writable server on loopback."""

from __future__ import annotations

import pg_cluster


def test_the_server_is_real_and_databases_are_separate(
    postgres_server: pg_cluster.PostgresServer,
) -> None:
    assert postgres_server.psql("SHOW server_version_num").strip().isdigit()
    assert postgres_server.psql("SHOW listen_addresses").strip() == "127.0.0.1"
    url = postgres_server.create_database("fixture_check")
    assert url.endswith(f":{postgres_server.port}/fixture_check")
    postgres_server.psql("CREATE TABLE t (n int); INSERT INTO t VALUES (7)", "fixture_check")
    assert postgres_server.psql("SELECT n FROM t", "fixture_check").strip() == "7"
    assert "fixture_check" in postgres_server.psql("SELECT datname FROM pg_database")
