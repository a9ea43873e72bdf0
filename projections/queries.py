"""Asking the read models: what the pages, the API and the command line show.

Everything here reads the active generation of the read-model tables; nothing loads
an aggregate or replays the event log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from domain.errors import (
    ContestNotFound,
    InvalidValue,
    OrganizationNotFound,
    RoundNotFound,
    RoundSetAside,
    RuleSetNotFound,
    UnitNotFound,
)
from domain.rules.standings import check_cycle, check_period
from domain.services.store import EVENTS_TABLE_POSTGRES, EVENTS_TABLE_SQLITE
from domain.text import contest_code, entity_code
from domain.rules.ruleset import RuleSet, parse_ruleset
from domain.services.store import StoreURL
from projections.readstore import ReadStore
from projections.tables import (
    ACCOUNTS,
    APPEALS,
    CHECKPOINTS,
    HEADS,
    WITNESSES,
    ORGANIZATIONS,
    CERTIFICATIONS,
    CONSEQUENCES,
    CONTESTS,
    ENTRIES,
    FINALISTS,
    JUDGES,
    QUARANTINE,
    ROUNDS,
    RULESETS,
    STANDINGS,
)


KIND_ORDER = ["top", "bottom", "improved", "pairing"]


class ReadModels:
    def __init__(self, store: StoreURL, connection: Any = None, generation: Any = None) -> None:
        self.store = ReadStore(store, connection, generation)

    def close(self) -> None:
        self.store.close()

    def position(self) -> int:
        return self.store.state()[1]

    def last_event(self) -> int:
        """The log's last position (one indexed query)."""
        table = EVENTS_TABLE_SQLITE if self.store.sqlite else EVENTS_TABLE_POSTGRES
        column = "rowid" if self.store.sqlite else "notification_id"
        row = self.store.connection().execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchone()
        return int(row[0])

    def accounts_since(self, position: int) -> list[tuple[str, int]]:
        """(account, position of its last event) of the accounts changed after ``position``."""
        generation, _ = self.store.state()
        rows = self.store.connection().execute(self.store._p(
            f"SELECT account, position FROM {ACCOUNTS.physical(generation)} WHERE position > ?"), (position,)).fetchall()
        return [(r[0], int(r[1] or 0)) for r in rows]

    def rounds_since(self, position: int) -> list[dict[str, Any]]:
        """The rounds changed after ``position``: each with the position of its last
        projected event and what the access policy reads of it."""
        generation, _ = self.store.state()
        columns = ("round", "position", "status", "live_board", "judges", "unit_path", "entrants", "contest")
        rows = self.store.connection().execute(self.store._p(
            f"SELECT {', '.join(columns)} FROM {ROUNDS.physical(generation)} WHERE position > ?"),
            (position,)).fetchall()
        return [dict(zip(columns, r)) for r in rows]

    def account(self, name: str) -> dict[str, Any] | None:
        rows = self.store.select(ACCOUNTS, {"account": name})
        if not rows:
            return None
        row = rows[0]
        row["grants"], row["disabled"] = orjson.loads(row["grants"]), bool(row["disabled"])
        return row

    def accounts(self) -> list[dict[str, Any]]:
        rows = self.store.select(ACCOUNTS, {}, order="account")
        for row in rows:
            row["grants"], row["disabled"] = orjson.loads(row["grants"]), bool(row["disabled"])
        return rows

    def behind(self) -> bool:
        """Has something been recorded that the read models do not show yet?"""
        return self.last_event() > self.position()

    def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        return self.store.wait_for(position, timeout)

    # -- rounds -----------------------------------------------------------------------------

    def round(self, code: str) -> dict[str, Any]:
        code = entity_code(code, "round")
        rows = self.store.select(ROUNDS, {"round": code})
        if not rows:
            set_aside = [q for q in self.quarantine() if f"round {code} " in q["reason"]]
            if set_aside:
                raise RoundSetAside(round=code, position=set_aside[0]["position"], reason=set_aside[0]["reason"])
            raise RoundNotFound(round=code)
        return rows[0]

    def entrant_codes(self, code: str) -> list[str]:
        return [r["entrant"] for r in self.store.select(ENTRIES, {"round": entity_code(code, "round")},
                                                         order="entrant")]

    def rounds(self, contest: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        where: dict[str, Any] = {}
        if contest is not None:
            where["contest"] = contest_code(contest, "contest")
        if status is not None:
            where["status"] = status
        return self.store.select(ROUNDS, where, order="contest, level, period, round")

    def contests(self) -> list[dict[str, Any]]:
        return self.store.select(CONTESTS, {}, order="contest")

    def contest(self, code: str) -> dict[str, Any]:
        code = contest_code(code, "contest")
        rows = self.store.select(CONTESTS, {"contest": code})
        if not rows:
            raise ContestNotFound(contest=code)
        return rows[0]

    def appeals(self, round: str | None = None, contest: str | None = None,
                pending: bool = False) -> list[dict[str, Any]]:
        where: dict[str, Any] = {}
        if round is not None:
            where["round"] = self.round(round)["round"]
        if contest is not None:
            where["contest"] = self.contest(contest)["contest"]
        rows = self.store.select(APPEALS, where, order="round, appeal")
        return [r for r in rows if not pending or r["decision"] is None]

    def checkpoints(self) -> list[dict[str, Any]]:
        rows = self.store.select(CHECKPOINTS, {}, order="position")
        for r in rows:
            r["reasons"] = orjson.loads(r["reasons"])
        return rows

    def checkpoint_for(self, round: str) -> dict[str, Any] | None:
        """The latest checkpoint signed for something that happened to this round."""
        mine = [c for c in self.checkpoints() if any(reason.split()[0] == round for reason in c["reasons"])]
        return mine[-1] if mine else None

    # -- the log's signed heads and proofs ------------------------------------------------------

    def heads(self) -> list[dict[str, Any]]:
        """Every signed tree head, oldest first, each with its cosignatures and the note
        carrying them (``cosigned``)."""
        from domain.checkpoint import Note, NoteError, Signature

        rows = self.store.select(HEADS, {}, order="size")
        for r in rows:
            r["reasons"] = orjson.loads(r["reasons"])
            r["cosignatures"] = orjson.loads(r["cosignatures"])
            try:
                lines = [Signature.parse(c["signature"]) for c in r["cosignatures"]]
                r["cosigned"] = str(Note.parse(r["note"]).with_signatures(*lines))
            except NoteError:
                r["cosigned"] = r["note"]
        return rows

    def head_for(self, round: str) -> dict[str, Any] | None:
        """The latest tree head signed for something that happened to this round (what its
        score sheet and notice print)."""
        mine = [h for h in self.heads() if any(reason.split()[0] == round for reason in h["reasons"])]
        return mine[-1] if mine else None

    def witnesses(self) -> list[dict[str, Any]]:
        return self.store.select(WITNESSES, {}, order="name")

    def inclusion_proof(self, code: str, entrant: str, size: int | None = None) -> dict[str, Any]:
        """Every event behind an entrant's result with its inclusion proof to a signed head:
        the one of ``size``; else the latest one signed for the round if it covers them; else
        the latest (projections/proofs.py)."""
        from domain.ids import round_id
        from eventstore.tree import TreeStore
        from projections import proofs

        row = self.round(code)
        entrant = entity_code(entrant, "entrant")
        heads = self.heads()
        mine = [h for h in heads if any(reason.split()[0] == row["round"] for reason in h["reasons"])]
        choices = ([proofs.head_for(heads, size)] if size is not None
                   else ([mine[-1]] if mine else []) + [proofs.head_for(heads, None)])

        def work(source: Any) -> dict[str, Any]:
            rows = source.events_of([round_id(row["round"])])
            tree = TreeStore(source.store, source.connection)
            for head in choices[:-1]:
                try:
                    bundle = proofs.inclusion_bundle(tree, rows, row["round"], entrant, head, head["cosigned"])
                except proofs.ProofUnavailable:
                    continue
                if not bundle["later"]:
                    return bundle  # the round's own head covers every event; else the latest
            return proofs.inclusion_bundle(tree, rows, row["round"], entrant, choices[-1], choices[-1]["cosigned"])

        if entrant not in self.entrant_codes(row["round"]):
            raise InvalidValue("entrant", entrant, f"{entrant} is not an entrant of round {row['round']}",
                               f"{entrant} 不是轮次 {row['round']} 的参赛组织")
        return self._from_events(work)

    def consistency_proof(self, old: int, size: int | None = None) -> str:
        """The proof that the signed head of ``size`` (the latest if None) extends the log's
        first ``old`` events unchanged (projections/proofs.py)."""
        from eventstore.tree import TreeStore
        from projections import proofs

        head = proofs.head_for(self.heads(), size)
        return self._from_events(lambda source: proofs.consistency(TreeStore(source.store, source.connection), old,
                                                                   head, head["cosigned"]))

    def organization(self, code: str) -> dict[str, Any]:
        code = entity_code(code, "organization")
        rows = self.store.select(ORGANIZATIONS, {"organization": code})
        if not rows:
            raise OrganizationNotFound(organization=code)
        row = rows[0]
        row["secretaries"] = orjson.loads(row["secretaries"]) if row["secretaries"] else []
        return row

    def quarantine(self) -> list[dict[str, Any]]:
        """Events the read side could not apply, and rounds it could not compute."""
        return self.store.select(QUARANTINE, {}, order="position")

    def leaderboard(self, code: str) -> dict[str, Any]:
        """The live leaderboard: per entrant, sheets in and expected, and the (provisional)
        score and rank; plus the round's status and seal."""
        row = self.round(code)
        code = row["round"]  # the code as recorded: `r-gl-2025-05` asks for R-GL-2025-05 (rulebook 3.2)
        ranking = orjson.loads(row["ranking"])
        entries = {e["entrant"]: e for e in self.store.select(ENTRIES, {"round": code})}
        board = []
        for item in ranking["entries"]:  # in ranking order
            e = entries[item["entrant"]]
            board.append({**item, "status": e["status"], "sheets_in": e["sheets_in"],
                          "sheets_expected": e["sheets_expected"], "unit": e["unit"], "secretary": e["secretary"]})
        rules = self.rules(ranking["rules"]["code"], ranking["rules"]["version"])
        return {"round": row["round"], "contest": row["contest"], "level": row["level"], "unit": row["unit"],
                "awards": {a.code: a.name for a in rules.awards}, "theme": row["theme"],
                "publicity": orjson.loads(row["publicity"]) if row["publicity"] else None,
                "period": row["period"], "status": row["status"], "seal": row["seal"],
                "rules": ranking["rules"], "provisional": row["status"] in ("scheduled", "open"),
                "complete": bool(row["complete"]), "sheets_in": row["sheets_in"],
                "sheets_expected": row["sheets_expected"], "events": row["events"], "position": row["position"],
                "entries": board}

    def rulesets(self) -> list[dict[str, Any]]:
        return [{k: r[k] for k in ("code", "version", "digest", "title")}
                for r in self.store.select(RULESETS, {}, order="code, version")]

    def ruleset(self, code: str, version: int) -> dict[str, Any]:
        rows = self.store.select(RULESETS, {"code": str(code).strip().lower(), "version": version})
        if not rows:
            raise RuleSetNotFound(rules=f"{code}@{version}")
        return rows[0]

    def rules(self, code: str, version: int) -> RuleSet:
        text = self.store.select(RULESETS, {"code": code, "version": version})[0]["text"]
        return parse_ruleset(text, f"{code}@{version}")

    def ranking(self, code: str) -> dict[str, Any]:
        return orjson.loads(self.round(code)["ranking"])

    def _from_events(self, work: Callable[..., Any], *args: Any) -> Any:
        """``work(source, *args)`` over the events themselves, read by aggregate id
        (projections/audit.py: what is folded on demand rather than kept)."""
        from projections.source import EventSource

        source = EventSource(self.store.store)
        try:
            return work(source, *args)
        finally:
            source.close()

    def audit(self, code: str, entrant: str) -> dict[str, Any]:
        """The explanation of one entrant's result, folded from the round's own events."""
        from projections import audit

        return self._from_events(audit.audit, self.round(code)["round"], entity_code(entrant, "entrant"))

    def account_history(self, name: str) -> list[dict[str, Any]]:
        """Every event of an account, oldest first (projections/audit.py)."""
        from projections import audit

        return self._from_events(audit.account_history, name)

    def event_times(self, code: str) -> dict[str, str]:
        """When each event of the round was recorded (China Standard Time), by its name ``R#17``."""
        from projections import audit

        return self._from_events(audit.event_times, self.round(code)["round"])

    def sheets(self, code: str) -> list[dict[str, Any]]:
        """Every sheet of a round with its history, folded from the round's own events."""
        from projections import audit

        return self._from_events(audit.sheets, self.round(code)["round"])

    def explanations(self, code: str) -> list[dict[str, Any]]:
        """Every entrant's explanation, in ranking order (what a score sheet prints)."""
        from projections import audit

        return self._from_events(audit.explanations, self.round(code)["round"])[1]

    def revisions(self, target: str) -> list[dict[str, Any]]:
        """The finalists of a round withdrawn or admitted when a source round's results changed."""
        from projections import audit

        return self._from_events(audit.revisions, self.round(target)["round"])

    def finalists(self, target: str) -> list[dict[str, Any]]:
        target = self.round(target)["round"]
        return self.store.select(FINALISTS, {"target": target}, order="source_round, source_rank, entrant")

    # -- periods, stars, judges --------------------------------------------------------------

    def unit(self, contest: str, unit: str) -> dict[str, Any]:
        """A unit of a contest, or UnitNotFound / ContestNotFound."""
        c = self.contest(contest)
        code = entity_code(unit, "unit")
        for u in orjson.loads(c["units"]):
            if u["code"] == code:
                return u
        raise UnitNotFound(contest=c["contest"], unit=code)

    def standings(self, contest: str, unit: str, period: str) -> list[dict[str, Any]]:
        u = self.unit(contest, unit)
        return self.store.select(STANDINGS, {"contest": contest_code(contest), "unit": u["code"],
                                             "period": check_period(period)}, order="rank, entrant")

    def period(self, contest: str, unit: str, period: str) -> dict[str, Any]:
        """A unit's standings for a period, with their consequences (what `standings` shows)."""
        u = self.unit(contest, unit)
        return {"contest": contest_code(contest), "unit": u["code"], "unit_name": u["name"],
                "period": check_period(period), "standings": self.standings(contest, unit, period),
                "consequences": self.consequences(contest, unit, period)}

    def periods(self, contest: str, unit: str) -> list[str]:
        rows = self.store.select(STANDINGS, {"contest": contest_code(contest, "contest"),
                                             "unit": entity_code(unit, "unit")})
        return sorted({r["period"] for r in rows})

    def consequences(self, contest: str, unit: str, period: str) -> list[dict[str, Any]]:
        u = self.unit(contest, unit)
        rows = self.store.select(CONSEQUENCES, {"contest": contest_code(contest), "unit": u["code"],
                                                "period": check_period(period)})
        for r in rows:
            r["detail"] = orjson.loads(r["detail"]) if r["detail"] and r["detail"].startswith("{") else {}
        return sorted(rows, key=lambda r: (KIND_ORDER.index(r["kind"]), r["position"]))

    def certifications(self, contest: str, level: str, cycle: str) -> list[dict[str, Any]]:
        c = self.contest(contest)
        level = contest_code(level, "level")
        if level not in orjson.loads(c["levels"]):
            raise InvalidValue("level", level, f"not a level of contest {c['contest']}",
                               f"不是活动 {c['contest']} 的层级")
        rows = self.store.select(CERTIFICATIONS, {"contest": c["contest"], "level": level,
                                                  "cycle": check_cycle(cycle)}, order="organization")
        for r in rows:
            r["history"] = orjson.loads(r["history"]) if r["history"] else None
        return rows

    def certification(self, organization: str, level: str, cycle: str) -> dict[str, Any] | None:
        rows = self.store.select(CERTIFICATIONS, {"organization": entity_code(organization, "organization"),
                                                  "level": contest_code(level, "level"), "cycle": cycle})
        if not rows:
            return None
        row = rows[0]
        row["history"] = orjson.loads(row["history"]) if row["history"] else None
        return row

    def judges(self, scope: str, key: str) -> list[dict[str, Any]]:
        key = self.round(key)["round"] if scope == "round" else self.contest(key)["contest"]
        return self.store.select(JUDGES, {"scope": scope, "key": key}, order="flagged DESC, judge")
