"""The one place that knows the read-model tables: their names and columns.

Every read model exists in two generations (``rm0_*`` and ``rm1_*``).  Readers use the
active one, named in ``rm_state``; a rebuild fills the other from event 1 while the
active one keeps serving, then switches ``rm_state`` over in one transaction.  The
migrations create both generations from these definitions (``python -m
projections.tables`` prints the SQL; a test checks that the migrated schema matches).
"""

from __future__ import annotations

from dataclasses import dataclass

GENERATIONS = (0, 1)
STATE_TABLE = "rm_state"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, type: text | int | bigint | blob)
    key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def physical(self, generation: int) -> str:
        return f"rm{generation}_{self.name}"


T, I, B, X = "text", "int", "bigint", "blob"

ROUNDS = Table("rounds", (
    ("round", T), ("contest", T), ("level", T), ("unit", T), ("period", T), ("status", T), ("rules_code", T),
    ("rules_version", I), ("seal", T), ("ranking", T), ("entrants", I), ("sheets_in", I),
    ("sheets_expected", I), ("complete", I), ("events", B), ("position", B), ("theme", T), ("publicity", T),
    ("live_board", I), ("judges", T), ("unit_path", T), ("track", T),  # 赛道 (section 20.2): "" for none
), ("round",))
ENTRIES = Table("entries", (
    ("round", T), ("entrant", T), ("name", T), ("unit", T), ("status", T), ("rank", I), ("final", T),
    ("tied", I), ("award", T), ("promotion", T), ("reason", T), ("sheets_in", I), ("sheets_expected", I),
    ("secretary", T),
), ("round", "entrant"))
STANDINGS = Table("standings", (
    ("contest", T), ("unit", T), ("period", T), ("entrant", T), ("name", T), ("score", T), ("rank", I),
    ("tied", I), ("rounds", I), ("method", T), ("track", T),  # 赛道: an organization is in one track a period
), ("contest", "unit", "period", "entrant"))
FINALISTS = Table("finalists", (
    ("target", T), ("entrant", T), ("name", T), ("source_round", T), ("source_unit", T), ("source_rank", I),
    ("source_final", T), ("source_seal", T),
), ("target", "entrant"))
CERTIFICATIONS = Table("certifications", (
    ("organization", T), ("level", T), ("cycle", T), ("contest", T), ("score", T), ("computed_stars", I),
    ("veto", I), ("band_stars", I), ("capped", I), ("state", T), ("stars", I), ("history", T), ("name", T),
    ("basis", T),  # rulebook 19.3: the pool (track), the score put into bands and each kind of evidence, as JSON
), ("organization", "level", "cycle"))
CONSEQUENCES = Table("consequences", (
    ("contest", T), ("unit", T), ("period", T), ("kind", T), ("position", I), ("entrant", T), ("name", T),
    ("partner", T), ("detail", T), ("partner_name", T), ("track", T),  # per track (赛道, section 20.4)
), ("contest", "unit", "period", "track", "kind", "position"))
JUDGES = Table("judges", (
    ("scope", T), ("key", T), ("judge", T), ("name", T), ("sheets", I), ("mean_deviation", T),
    ("mean_abs_deviation", T), ("trimmed", I), ("trimmed_share", T), ("flagged", I), ("why", T),
), ("scope", "key", "judge"))

RULESETS = Table("rulesets", (
    ("code", T), ("version", I), ("digest", T), ("title", T), ("text", T),
), ("code", "version"))

QUARANTINE = Table("quarantine", (
    ("position", B), ("aggregate", T), ("version", B), ("topic", T), ("reason", T),
), ("position", "aggregate", "reason"))
APPEALS = Table("appeals", (
    ("round", T), ("appeal", I), ("contest", T), ("kind", T), ("entrant", T), ("name", T), ("contact", T),
    ("text", T), ("filed_on", T), ("filed_by", T), ("decision", T), ("reply", T), ("ruled_on", T),
    ("ruled_by", T), ("corrections", T), ("position", B),
), ("round", "appeal"))

CONTESTS = Table("contests", (  # levels and units as JSON
    ("contest", T), ("title", T), ("levels", T), ("units", T), ("organizations", I), ("judges", I), ("rounds", I),
    ("contact", T),
), ("contest",))

ORGANIZATIONS = Table("organizations", (  # earlier secretaries as JSON
    ("organization", T), ("name", T), ("unit", T), ("sector", T), ("category", T), ("secretary", T),
    ("secretaries", T),
), ("organization",))
CHECKPOINTS = Table("checkpoints", (  # reasons as JSON: ["R-GL-2025-05 Closed", ...]
    ("position", B), ("head", T), ("signature", T), ("public_key", T), ("fingerprint", T), ("reasons", T),
    ("event_position", B),
), ("position",))

HEADS = Table("heads", (  # the signed tree heads; reasons and cosignatures as JSON
    ("size", B), ("root", T), ("note", T), ("reasons", T), ("cosignatures", T), ("event_position", B),
), ("size", "root"))

WITNESSES = Table("witnesses", (  # whose cosignatures the deployment accepts
    ("name", T), ("vkey", T),
), ("name",))

ACCOUNTS = Table("accounts", (  # grants as JSON: [{"role": ..., "contest": ..., ...}]
    ("account", T), ("display_name", T), ("grants", T), ("disabled", I), ("generation", I), ("position", B),
), ("account",))

# the read models of 结果运用, one group per part (each part's module computes its own)
TRACKS = Table("tracks", (  # 赛道 (rulebook section 20): a contest's tracks in the order declared
    ("contest", T), ("position", I), ("track", T), ("name", T),
), ("contest", "track"))
ORGANIZATION_TRACKS = Table("organization_tracks", (  # each organization's track changes, oldest first
    ("organization", T), ("seq", I), ("from_period", T), ("track", T), ("contest", T), ("reason", T),
    ("actor", T), ("recorded_at", T),
), ("organization", "seq"))
TRACK_TABLES: tuple[Table, ...] = (TRACKS, ORGANIZATION_TRACKS)
COMMENTS = Table("comments", (  # 点评 (rulebook section 17); history as JSON, oldest first
    ("round", T), ("comment", I), ("contest", T), ("entrant", T), ("entrant_name", T), ("author_kind", T),
    ("judge", T), ("author", T), ("as_title", T), ("stage", T), ("text", T), ("state", T), ("history", T),
    ("recorded_at", T), ("recorded_by", T), ("position", B),
), ("round", "comment"))
COMMENT_TABLES: tuple[Table, ...] = (COMMENTS,)
BALLOT_BOXES = Table("ballot_boxes", (  # 投票 (rulebook section 18): a voting round of a round; JSON columns
    ("round", T), ("voting", I), ("contest", T), ("status", T), ("candidates", T), ("names", T), ("by_group", T),
    ("ballots", I), ("voided", I), ("tally", T), ("rules", T), ("position", B),
), ("round", "voting"))
VOTING_TABLES: tuple[Table, ...] = (BALLOT_BOXES,)
WORK_TASKS = Table("work_tasks", (  # 结果运用 (rulebook section 15): a task on the ladder; record, done as JSON
    ("task", T), ("contest", T), ("unit", T), ("period", T), ("track", T), ("entrant", T), ("name", T),
    ("rung", I), ("step", I), ("streak", I), ("action", T), ("action_name", T), ("by_whom", T), ("due", T),
    ("record", T), ("why_zh", T), ("why_en", T), ("issued_on", T), ("state", T), ("done", T), ("reason", T),
    ("position", B),
), ("task",))
WORK_PAIRS = Table("work_pairs", (  # 结对 (rulebook 15.3): its obligation and its exchanges (JSON, oldest first)
    ("pair", T), ("contest", T), ("unit", T), ("period", T), ("track", T), ("leader", T), ("leader_name", T),
    ("lagger", T), ("lagger_name", T), ("by_whom", T), ("exchanges", I), ("per", T), ("start_month", T),
    ("end_month", T), ("record", T), ("why_zh", T), ("why_en", T), ("state", T), ("log", T), ("ended", T),
    ("position", B),
), ("pair",))
WORK_CLASSES = Table("work_classes", (  # 分类 (rulebook section 16): each closed period's standing and class
    ("contest", T), ("unit", T), ("period", T), ("track", T), ("entrant", T), ("name", T), ("rank", I),
    ("score", T), ("class", T), ("class_name", T), ("closed_on", T), ("digest", T),
), ("contest", "unit", "period", "track", "entrant"))
WORK_TABLES: tuple[Table, ...] = (WORK_TASKS, WORK_PAIRS, WORK_CLASSES)
HONOURS = Table("honours", (  # 荣誉 (rulebook section 19.1), withdrawn ones kept with their reason
    ("organization", T), ("number", I), ("name", T), ("level", T), ("date", T), ("issuer", T), ("withdrawn", T),
), ("organization", "number"))
PLATFORM_DATA = Table("platform_data", (  # 平台数据 (19.2): one row per organization; history as JSON
    ("contest", T), ("source", T), ("period", T), ("organization", T), ("value", T), ("digest", T), ("file", T),
    ("history", T),
), ("contest", "source", "period", "organization"))
FLAGS = Table("flags", (  # 红旗 (19.4): criteria results and history as JSON
    ("organization", T), ("flag", T), ("cycle", T), ("contest", T), ("name", T), ("org_name", T), ("state", T),
    ("met", I), ("results", T), ("history", T), ("rules", T), ("position", B),
), ("organization", "flag", "cycle"))
EVIDENCE_TABLES: tuple[Table, ...] = (HONOURS, PLATFORM_DATA, FLAGS)

TABLES = (ROUNDS, ENTRIES, STANDINGS, FINALISTS, CERTIFICATIONS, CONSEQUENCES, JUDGES, RULESETS, QUARANTINE,
          APPEALS, CONTESTS, ORGANIZATIONS, CHECKPOINTS, ACCOUNTS, HEADS, WITNESSES, *TRACK_TABLES,
          *COMMENT_TABLES, *VOTING_TABLES, *WORK_TABLES, *EVIDENCE_TABLES)

SQL_TYPES = {
    "sqlite": {T: "TEXT", I: "INTEGER", B: "INTEGER", X: "BLOB"},
    "postgresql": {T: "text", I: "integer", B: "bigint", X: "bytea"},
}


def create_sql(kind: str, tables: tuple[Table, ...] = TABLES, state: bool = True) -> str:
    """The DDL of both generations of ``tables`` (and the state table), for a migration file."""
    types = SQL_TYPES[kind]
    out = []
    for generation in GENERATIONS:
        for table in tables:
            cols = ",\n    ".join(f"{name} {types[kind_]}" for name, kind_ in table.columns)
            out.append(f"CREATE TABLE IF NOT EXISTS {table.physical(generation)} (\n    {cols},\n"
                       f"    PRIMARY KEY ({', '.join(table.key)})\n);")
    if state:
        out.append(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (\n    name {types[T]} PRIMARY KEY,\n"
                   f"    generation {types[I]} NOT NULL,\n    position {types[B]} NOT NULL,\n"
                   f"    building {types[I]},\n    building_position {types[B]},\n    updated_at {types[T]}\n);")
        out.append(f"INSERT INTO {STATE_TABLE} (name, generation, position) VALUES ('leitai', 0, 0)"
                   " ON CONFLICT (name) DO NOTHING;")
    return "\n\n".join(out) + "\n"


def grants_sql(tables: tuple[Table, ...] = TABLES) -> str:
    """Grants on read-model tables to this database's writer role (recorded in leitai_roles
    by migration 0005; see migrations/postgres/0005_append_only_closed.sql)."""
    names = [t.physical(g) for g in GENERATIONS for t in tables]
    listed = ", ".join(f"'{n}'" for n in names)
    return ("DO $grants$\nDECLARE\n    writer text := (SELECT writer FROM public.leitai_roles);\n    rel text;\nBEGIN\n"
            f"    FOREACH rel IN ARRAY ARRAY[{listed}] LOOP\n"
            "        EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.%I TO %I', "
            "rel, writer);\n    END LOOP;\nEND\n$grants$;\n")


if __name__ == "__main__":  # pragma: no cover - prints the migration SQL
    import sys

    print(create_sql(sys.argv[1] if len(sys.argv) > 1 else "postgresql"))
