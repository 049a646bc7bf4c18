#!/bin/sh
# Start the machine's PostgreSQL 15 (Debian cluster "main") and make a role and a database
# for the tests. Prints the SQLAlchemy URL on stdout; on a machine without PostgreSQL it
# prints the reason on stderr and exits 1, and the PostgreSQL test run is reported skipped.
set -e
ROLE=loa_test
PASSWORD=loa_test
DB=loa_test
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "PostgreSQL is not installed (no pg_ctlcluster)" >&2
    exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO pg_ctlcluster 15 main start >/dev/null 2>&1 || true
if ! $SUDO pg_ctlcluster 15 main status >/dev/null 2>&1; then
    echo "PostgreSQL 15 cluster 'main' did not start" >&2
    exit 1
fi
as_postgres() { $SUDO su postgres -c "psql -v ON_ERROR_STOP=1 -Atq -c \"$1\"" ; }
if [ "$(as_postgres "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
    as_postgres "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
if [ "$(as_postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
    as_postgres "CREATE DATABASE $DB OWNER $ROLE" >&2
fi
echo "postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:5432/$DB"
