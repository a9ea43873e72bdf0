"""The read models of honours (荣誉), platform data (平台数据) and flags (红旗), rulebook section
19; the evidence the star recommendations combine (19.3) on the read side; and the queries
the command line, the API and the pages ask.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from fractions import Fraction
from typing import Any

import orjson

from domain.errors import FlagNotFound
from domain.model.flag import STATE_ZH as FLAG_STATE_ZH
from domain.numbers import fraction
from domain.rules.star_evidence import HONOUR_LEVEL_ZH
from domain.rules.standings import check_cycle, check_period
from domain.rules.stars import Rated, Recommendation, recommend_by_track, with_evidence
from domain.text import entity_code
from projections.tables import CERTIFICATIONS, FLAGS, HONOURS, PLATFORM_DATA

FLAG_STATE_EN = {"nominated": "nominated", "assessed": "assessed", "awarded": "awarded", "declined": "declined",
                 "revoked": "revoked"}
HONOUR_LEVEL_EN = {"national": "national", "provincial": "provincial", "city": "city", "county": "county",
                   "township": "township"}


# -- the evidence on the read side (19.3) --------------------------------------------------------


def platform_imports(folder: Any, contest: str, source: str, cycle: str) -> dict[str, dict[str, Fraction]]:
    out: dict[str, dict[str, Fraction]] = {}
    for d in folder.others.get("PlatformData", {}).values():
        if d.contest == contest and d.source == source and (d.period == cycle or d.period.startswith(cycle + "-")):
            out[d.period] = {org: fraction(v) for org, v in d.values.items()}
    return out


def star_recommendations(folder: Any, contest: str, cycle: str, rated: Sequence[Rated], rule: Any, decimals: int,
                         vetoed: Collection[str]) -> dict[str, Recommendation]:
    """What domain.services.certification.star_recommendations computes, from folded state."""
    orgs = folder.organizations
    if rule.evidence is not None:
        source = rule.evidence.platform_source
        imports = platform_imports(folder, contest, source, cycle) if source else {}
        honours = {r.entrant: {h["level"] for h in orgs[r.entrant].honours_in(cycle)}
                   for r in rated if r.entrant in orgs}
        rated = with_evidence(rated, rule, decimals, cycle, imports, honours)
    tracks = {r.entrant: orgs[r.entrant].track_in(cycle, contest) for r in rated if r.entrant in orgs}
    return recommend_by_track(rated, rule, vetoed, tracks)


def star_basis(rec: Recommendation | None) -> str | None:
    """The certification row's basis column: its pool, the score put into bands, the evidence."""
    if rec is None or (rec.basis is None and not rec.track):
        return None
    return orjson.dumps({"track": rec.track, "score": None if rec.score is None else str(rec.score),
                         "evidence": rec.basis}).decode()


KIND_WORDS = {"contest": ("擂台得分", "contest score"), "platform": ("平台分", "platform"),
              "honours": ("荣誉分", "honours")}


def basis_words(basis: dict[str, Any] | None, language: str) -> str:
    """How a combined score was made (rulebook 19.3), e.g. 擂台得分 88.5×0.7 + 平台分 92×0.2 = 80.35."""
    if not basis or not basis.get("evidence"):
        return ""
    zh = language == "zh"
    parts = []
    found = basis["evidence"].get("parts", {})
    for kind, p in sorted(found.items(), key=lambda item: list(KIND_WORDS).index(item[0])):
        name = KIND_WORDS.get(kind, (kind, kind))[0 if zh else 1]
        value = ("无数据" if zh else "no data") if p.get("missing") else p["value"]
        parts.append(f"{name} {value}×{p['weight']}")
    return " + ".join(parts) + f" = {basis['evidence'].get('combined', basis.get('score'))}"


# -- the part (projections.parts) -----------------------------------------------------------------


def evidence_rows(computer: Any, dirty: Any, changes: Any) -> None:
    folder = computer.folder
    orgs = set(folder.organizations) if dirty.everything else set(dirty.organizations)
    years: set[tuple[str, str]] = set()  # (contest, year) whose star recommendations may have changed
    for code in sorted(orgs):
        changes.replacing(HONOURS, ("organization",), (code,))
        o = folder.organizations.get(code)
        if o is None:
            continue
        for h in o.honours:
            changes.rows[HONOURS.name].append((code, h["number"], h["name"], h["level"], h["date"], h["issuer"],
                                               h["withdrawn"]))
            years |= {(c.code, h["date"][:4]) for c in folder.contests.values() if code in c.roster}
    platform = folder.others.get("PlatformData", {})
    ids = set(platform) if dirty.everything else set(dirty.others.get("PlatformData", ()))
    for key in sorted(ids, key=str):
        d = platform.get(key)
        if d is None:
            continue
        changes.replacing(PLATFORM_DATA, ("contest", "source", "period"), (d.contest, d.source, d.period))
        history = orjson.dumps(d.history).decode()
        for org, value in sorted(d.values.items()):
            changes.rows[PLATFORM_DATA.name].append((d.contest, d.source, d.period, org, value, d.digest, d.file,
                                                     history))
        years.add((d.contest, d.period[:4]))
    flags = folder.others.get("Flag", {})
    ids = set(flags) if dirty.everything else set(dirty.others.get("Flag", ()))
    for key in sorted(ids, key=str):
        f = flags.get(key)
        if f is None:
            continue
        changes.replacing(FLAGS, ("organization", "flag", "cycle"), (f.organization, f.flag, f.cycle))
        o = folder.organizations.get(f.organization)
        changes.rows[FLAGS.name].append((
            f.organization, f.flag, f.cycle, f.contest, f.name, o.name if o else "", f.state,
            None if f.met is None else int(f.met), orjson.dumps(f.results).decode(), orjson.dumps(f.history).decode(),
            orjson.dumps(f.rules).decode(), folder.other_positions.get(key, 0)))
    done = set(changes.replace.get(CERTIFICATIONS.name, ((), []))[1])
    for contest, year in sorted(years):
        c = folder.contests.get(contest)
        for level in (c.levels if c else ()):
            if (contest, level, year) not in done:
                computer._certifications(contest, level, year, changes)


# -- queries ----------------------------------------------------------------------------------------


def honours(read: Any, organization: str) -> list[dict[str, Any]]:
    code = read.organization(organization)["organization"]
    rows = read.store.select(HONOURS, {"organization": code}, order="number")
    for r in rows:
        r["level_zh"] = HONOUR_LEVEL_ZH.get(r["level"], r["level"])
    return rows


def platform_data(read: Any, contest: str, period: str, source: str) -> list[dict[str, Any]]:
    c = read.contest(contest)["contest"]
    rows = read.store.select(PLATFORM_DATA, {"contest": c, "source": source, "period": check_period(period)},
                             order="organization")
    for r in rows:
        r["history"] = orjson.loads(r["history"] or "[]")
    return rows


def _flag(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key in ("results", "history", "rules"):
        row[key] = orjson.loads(row[key] or "null")
    row["met"] = None if row["met"] is None else bool(row["met"])
    row["state_zh"] = FLAG_STATE_ZH.get(row["state"], row["state"])
    return row


def flags(read: Any, contest: str, cycle: str, organization: str | None = None) -> list[dict[str, Any]]:
    c = read.contest(contest)["contest"]
    where: dict[str, Any] = {"contest": c, "cycle": check_cycle(cycle)}
    if organization:
        where["organization"] = entity_code(organization, "organization")
    return [_flag(r) for r in read.store.select(FLAGS, where, order="organization, flag")]


def organization_flags(read: Any, organization: str) -> list[dict[str, Any]]:
    code = entity_code(organization, "organization")
    return [_flag(r) for r in read.store.select(FLAGS, {"organization": code}, order="cycle DESC, flag")]


def flag(read: Any, organization: str, flag_code: str, cycle: str) -> dict[str, Any]:
    code = entity_code(organization, "organization")
    rows = read.store.select(FLAGS, {"organization": code, "flag": flag_code.strip().lower(),
                                     "cycle": check_cycle(cycle)})
    if not rows:
        raise FlagNotFound(organization=code, flag=flag_code, cycle=cycle)
    return _flag(rows[0])


def basis(row: dict[str, Any]) -> dict[str, Any] | None:
    """A certification row's basis (19.3) as data."""
    text = row.get("basis")
    return orjson.loads(text) if text else None



# -- replay (rulebook section 13): what another rule set would change in the flags --------------


def flag_evidence(folder: Any, computer: Any, contest: str, organization: str, cycle: str,
                  sources: Collection[str]) -> Any:
    """The evidence a flag's criteria are checked against, from folded state (as
    domain.services.evidence.flag_evidence finds it on the write side)."""
    from domain.rules.flags import FlagEvidence
    from domain.rules.stars import platform_value

    org = folder.organizations.get(organization)
    if org is None:
        return FlagEvidence()
    _, standings = computer.unit_standings(contest, org.unit).get(cycle, (None, []))
    score = next((Fraction(s.shown) for s in standings if s.entrant == organization), None)
    platform = {s: platform_value(platform_imports(folder, contest, s, cycle), organization, cycle) for s in sources}
    honours = tuple((h["number"], h["level"], h["name"]) for h in org.honours_in(cycle))
    stars: int | None = None
    vetoes: list[str] = []
    for (code, _level, year), cert in sorted(folder.certifications.items()):
        if code == organization and year == cycle:
            vetoes.extend(v["item"] for v in cert.vetoes)
            if cert.state == "certified" and cert.stars is not None:
                stars = max(stars or 0, cert.stars)
    return FlagEvidence(score, platform, honours, stars, tuple(vetoes))


def replay_flags(folder: Any, new_rules: Any, contest: str | None = None) -> list[dict[str, Any]]:
    """Each flag nominated under rules of the new rule set's code whose criteria results would
    differ under the new one's ``[[flags]]`` (against the evidence recorded now): the last
    recorded assessment before, the new check after."""
    from domain.rules.flags import check
    from projections.compute import Computer

    computer = Computer(folder)
    definitions = {f.code: f for f in new_rules.flags}
    out = []
    for f in sorted(folder.others.get("Flag", {}).values(), key=lambda f: (f.cycle, f.organization, f.flag)):
        if f.rules.get("code") != new_rules.code or (contest is not None and f.contest != contest):
            continue
        definition = definitions.get(f.flag)
        if definition is None:
            after, met = [], None
        else:
            sources = [c.source for c in definition.criteria if c.source]
            after = check(definition, flag_evidence(folder, computer, f.contest, f.organization, f.cycle, sources))
            met = all(r["met"] for r in after)
        if after != f.results or met != f.met:
            o = folder.organizations.get(f.organization)
            out.append({"organization": f.organization, "name": o.name if o else "", "flag": f.flag,
                        "flag_name": f.name, "cycle": f.cycle, "state": f.state, "met": [f.met, met],
                        "before": f.results, "after": after, "defined": definition is not None})
    return out
