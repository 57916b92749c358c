"""The PostgreSQL reader role: checked before a seed writes anything, then granted SELECT only.

The role the API serves with must be able to SELECT the dataset and nothing else (README,
"Scaling out"). A role that is the seeding user or an owner (of the database, its schema or a
table), or may act as one, or holds an attribute that reaches past privileges, or belongs to
any other role (a predefined one such as pg_write_all_data included), would make the grants
meaningless, so the seed refuses it (`SeedRefused`) before it migrates or writes.
"""

import re

from sqlalchemy import Connection, text

from app.store.engines import writable_engine

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Attributes no privilege can take back (CREATE ROLE's options, as pg_roles names them).
ATTRIBUTES = {
    "rolsuper": "SUPERUSER",
    "rolcreaterole": "CREATEROLE",
    "rolcreatedb": "CREATEDB",
    "rolbypassrls": "BYPASSRLS",
    "rolreplication": "REPLICATION",
}
# Every role whose rights the reader must not have, and what it is: the seeding user, the owner
# of the database, of the schema the tables go into, and of each relation already in it.
OWNERS_SQL = """
SELECT 'the role seeding it', current_user
UNION ALL SELECT 'the owner of database ' || current_database(), pg_get_userbyid(datdba)
  FROM pg_database WHERE datname = current_database()
UNION ALL SELECT 'the owner of schema ' || nspname, pg_get_userbyid(nspowner)
  FROM pg_namespace WHERE nspname = current_schema()
UNION ALL SELECT 'the owner of ' || c.relname, pg_get_userbyid(c.relowner)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
"""
# The roles `owner` belongs to, transitively (pg_auth_members itself: pg_has_role counts a
# superuser as a member of every role). From PostgreSQL 16 a CREATEROLE owner is granted each
# role it creates WITH ADMIN OPTION only (no INHERIT, no SET): that lends the owner nothing of
# the reader's and the reader nothing of the owner's, so it does not count.
MEMBER_OF_SQL = """
WITH RECURSIVE up(oid) AS (
  SELECT m.roleid FROM pg_auth_members m WHERE m.member = to_regrole(:owner) {lends}
  UNION SELECT m.roleid FROM pg_auth_members m JOIN up ON m.member = up.oid {lends}
) SELECT EXISTS (SELECT 1 FROM up WHERE oid = to_regrole(:role))
"""
LENDS_16 = "AND (m.inherit_option OR m.set_option)"
# The roles role belongs to directly (what it inherits or may SET ROLE to), by name.
GROUPS_SQL = """
SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
WHERE m.member = to_regrole(:role) {lends} ORDER BY r.rolname
"""


# What role may already do in this database beyond SELECT, found in the catalogs: CREATE on
# the database (new schemas), a schema it owns (anything in it), a privilege other than SELECT
# (and REFERENCES, which writes nothing) on any relation outside the system schemas.
RIGHTS_SQL = """
SELECT 'may CREATE schemas in database ' || current_database()
  WHERE has_database_privilege(:role, current_database(), 'CREATE')
UNION ALL SELECT 'owns schema ' || nspname FROM pg_namespace
  WHERE nspowner = to_regrole(:role)
UNION ALL SELECT 'may ' || p.privilege || ' ' || n.nspname || '.' || c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('TRIGGER')) p(privilege)
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
    AND has_table_privilege(:role, c.oid, p.privilege)
"""


class SeedRefused(Exception):
    """The target database will not take the seed as asked; raised before anything is written."""


def check_reader_role(url: str, role: str) -> None:
    """Before migrating or writing anything: the reader role's name is valid, the owner may
    create and configure roles (superuser, or CREATEROLE), and the role could do no more than
    SELECT once granted; else SeedRefused says what is wrong and what to do."""
    if not ROLE_NAME.fullmatch(role) or role.startswith("pg_"):
        raise SeedRefused(
            f"reader role must match {ROLE_NAME.pattern} and not start with pg_ (PostgreSQL's "
            f"predefined roles), got {role!r}"
        )
    engine = writable_engine(url)
    try:
        with engine.connect() as conn:
            user, may = conn.execute(
                text(
                    "SELECT current_user, rolsuper OR rolcreaterole FROM pg_roles "
                    "WHERE rolname = current_user"
                )
            ).one()
            if not may:
                raise SeedRefused(
                    f"--reader-role needs an owner that may create and configure roles: role "
                    f'{user!r} has neither SUPERUSER nor CREATEROLE (ALTER ROLE "{user}" '
                    "CREATEROLE, as a superuser), or seed without --reader-role and grant "
                    "SELECT yourself"
                )
            reason = _too_mighty(conn, role)
    finally:
        engine.dispose()
    if reason is not None:
        raise SeedRefused(
            f"--reader-role {role!r} could do more than SELECT the dataset: it {reason}; name a "
            "role of its own, with no attributes (the seed creates it if missing)"
        )


def _too_mighty(conn: Connection, role: str) -> str | None:
    """Why role could do more than SELECT once granted (as "is …", "has …"), or None."""
    owners = [(str(what), str(owner)) for what, owner in conn.execute(text(OWNERS_SQL))]
    for what, owner in owners:
        if owner == role:
            return f"is {what}"
    columns = ", ".join(ATTRIBUTES)
    found = conn.execute(
        text(f"SELECT {columns} FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).first()
    if found is None:
        return None  # to be created, with none of the above
    held = [name for column, name in ATTRIBUTES.items() if found._mapping[column]]
    if held:
        return f"has {', '.join(held)}"
    version = int(conn.execute(text("SHOW server_version_num")).scalar_one())
    member_of = text(MEMBER_OF_SQL.format(lends=LENDS_16 if version >= 160000 else ""))
    for what, owner in owners:
        if conn.execute(
            text("SELECT pg_has_role(:role, :owner, 'MEMBER')"), {"role": role, "owner": owner}
        ).scalar_one():
            return f"is a member of {owner!r} ({what})"
        if conn.execute(member_of, {"role": role, "owner": owner}).scalar_one():
            return f"has {owner!r} ({what}) as a member"
    groups = text(GROUPS_SQL.format(lends=LENDS_16 if version >= 160000 else ""))
    names = [str(name) for name in conn.execute(groups, {"role": role}).scalars()]
    if names:  # e.g. pg_write_all_data: rights the grants below cannot see or take back
        return f"is a member of {', '.join(names)}, whose rights it has besides the grants"
    rights = [str(what) for what in conn.execute(text(RIGHTS_SQL), {"role": role}).scalars()]
    if rights:
        more = f" (and {len(rights) - 3} more)" if len(rights) > 3 else ""
        return f"{', '.join(rights[:3])}{more}"
    return None


def grant_reader(conn: Connection, role: str) -> None:
    """Let role SELECT the dataset's tables and nothing else (created, without a password, if
    missing); its transactions also default to read-only. PUBLIC's default right to create
    temporary tables in the database is revoked too (a right of PUBLIC cannot be taken from one
    role alone); the database is the dataset's, and the owner keeps its own."""
    if not ROLE_NAME.fullmatch(role):
        raise ValueError(f"reader role must match {ROLE_NAME.pattern}, got {role!r}")
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    for statement in (
        f'REVOKE TEMPORARY ON DATABASE "{database}" FROM PUBLIC',
        f'REVOKE TEMPORARY ON DATABASE "{database}" FROM "{role}"',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"',
        f'REVOKE CREATE ON SCHEMA "{schema}" FROM "{role}"',
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'ALTER ROLE "{role}" SET default_transaction_read_only = on',
    ):
        conn.execute(text(statement))
