"""Persistence: tables, engine, migrations, and the queries the service needs."""
