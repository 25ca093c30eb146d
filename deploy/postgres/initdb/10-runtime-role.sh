#!/bin/sh
# Run once by the postgres image when it initialises an empty data directory (docker-compose.yml mounts this
# directory as /docker-entrypoint-initdb.d). Creates the portal replicas' own role, datakeen_app: it may read
# and write the rows of every table the owner (POSTGRES_USER, who runs the migrations) creates, and use their
# sequences, but it owns nothing, cannot create or alter tables, and is no superuser.
# For an existing database, run the same statements once with psql as the owner (docs/operations.md).
set -eu
: "${PORTAL_DB_PASSWORD:?set PORTAL_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_password="$PORTAL_DB_PASSWORD" -v owner="$POSTGRES_USER" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE datakeen_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO datakeen_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO datakeen_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO datakeen_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO datakeen_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO datakeen_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO datakeen_app;
SQL
