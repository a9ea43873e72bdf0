"""Stars from several kinds of evidence and flags (rulebook section 19): honours, platform data, flags."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from domain import text as texts
from domain.errors import FlagNotFound, ImportRowError, InvalidValue
from domain.ids import certification_id, flag_id, platform_data_id
from domain.model.base import Actor
from domain.model.certification import CERTIFIED, Certification
from domain.model.flag import Flag
from domain.model.platform_data import PlatformData
from domain.numbers import NotANumber, decimal_places, exact_text, fraction, parse_decimal
from domain.rules import flags as flag_rules
from domain.rules.ruleset import RuleSet, Stars
from domain.rules.standings import check_cycle, check_period
from domain.rules.stars import Rated, platform_value, with_evidence
from domain.services.session import SessionBase

MAX_ROWS = 100_000
MAX_VALUE_DECIMALS = 6
_PERIODS = ("", *(f"-Q{q}" for q in range(1, 5)), *(f"-{m:02d}" for m in range(1, 13)))


def platform_rows(data: bytes, file: str) -> list[tuple[int, str, str]]:
    """The rows of a platform data file (UTF-8 CSV, header ``organization,value``):
    (row number, organization, value text); a refusal names the file, row and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRowError(file, None, None, "not UTF-8 text", "不是 UTF-8 文本文件") from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if header[:2] != ["organization", "value"] or len(header) != 2:
        raise ImportRowError(file, 1, None, f"the header must be organization,value (found {','.join(header)})",
                             f"表头应为 organization,value（现为 {','.join(header) or '空'}）")
    rows: list[tuple[int, str, str]] = []
    for number, row in enumerate(reader, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2:
            raise ImportRowError(file, number, None, f"expected 2 columns, found {len(row)}",
                                 f"应有 2 列，现有 {len(row)} 列")
        if len(rows) >= MAX_ROWS:
            raise ImportRowError(file, number, None, f"more than {MAX_ROWS} rows", f"超过 {MAX_ROWS} 行")
        rows.append((number, row[0].strip(), row[1].strip()))
    if not rows:
        raise ImportRowError(file, None, None, "no data rows", "没有数据行")
    return rows


class EvidenceCommands(SessionBase):
    # -- honours (荣誉, 19.1) --------------------------------------------------------------

    def record_honour(self, organization: str, name: str, level: str, on: str, issuer: str, by: Actor,
                      key: str | None = None) -> int:
        return self.organization(organization).record_honour(name, level, on, issuer, self.today(), by, key)

    def withdraw_honour(self, organization: str, number: int, reason: str, by: Actor, key: str | None = None) -> None:
        self.organization(organization).withdraw_honour(number, reason, by, key)

    # -- platform data (平台数据, 19.2) ------------------------------------------------------

    def import_platform(self, contest: str, period: str, source: str, data: bytes, file: str, by: Actor,
                        reason: str | None = None, key: str | None = None) -> dict[str, Any]:
        """One file of one source and period: every row checked first, then one event
        (Imported, or Replaced with the reason when the period was imported before)."""
        c = self.contest(contest)
        period = check_period(period.strip() if isinstance(period, str) else period)
        source = texts.name(source, "source", limit=64)
        values: dict[str, str] = {}
        for row, given, raw in platform_rows(data, file):
            try:
                org = texts.entity_code(given, "organization")
            except InvalidValue as bad:
                raise ImportRowError(file, row, "organization", f"{bad.fields['problem']} ({given})",
                                     f"{bad.fields['problem_zh']}（{given}）") from None
            if org not in c.roster:
                raise ImportRowError(file, row, "organization", f"{org} is not enrolled in contest {c.code}",
                                     f"{org} 未报名活动 {c.code}")
            if org in values:
                raise ImportRowError(file, row, "organization", f"{org} appears twice", f"{org} 出现了两次")
            try:
                number = parse_decimal(raw)
            except NotANumber as bad:
                raise ImportRowError(file, row, "value", f"\"{raw}\" is {bad.problem}",
                                     f"「{raw}」{bad.problem_zh}") from None
            if number < 0 or decimal_places(number) > MAX_VALUE_DECIMALS:
                raise ImportRowError(file, row, "value", f"\"{raw}\" must be 0 or more, at most {MAX_VALUE_DECIMALS} decimals",
                                     f"「{raw}」应为 0 或正数，最多 {MAX_VALUE_DECIMALS} 位小数")
            values[org] = exact_text(fraction(number))
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        file_name = texts.name(file, "file", limit=200)
        found = self.find(platform_data_id(c.code, source, period), PlatformData)
        if found is None:
            self.add(PlatformData.start(c.code, source, period, values, digest, file_name, by, key))
            step = "imported"
        else:
            step = "replaced" if found.replace(values, digest, file_name, reason, by, key) else "unchanged"
        return {"contest": c.code, "source": source, "period": period, "rows": len(values), "digest": digest,
                "step": step}

    def platform_data(self, contest: str, source: str, period: str) -> PlatformData | None:
        return self.find(platform_data_id(contest, source, period), PlatformData)

    def platform_imports(self, contest: str, source: str, cycle: str) -> dict[str, dict[str, Fraction]]:
        """period -> organization -> value, for every period of the cycle imported from ``source``."""
        out: dict[str, dict[str, Fraction]] = {}
        for suffix in _PERIODS:
            found = self.platform_data(contest, source, cycle + suffix)
            if found is not None:
                out[found.period] = {org: fraction(v) for org, v in found.values.items()}
        return out

    # -- stars from evidence (19.3) ------------------------------------------------------------

    def rated_with_evidence(self, contest: str, rated: Sequence[Rated], rule: Stars, decimals: int,
                            cycle: str) -> list[Rated]:
        if rule.evidence is None:
            return list(rated)
        source = rule.evidence.platform_source
        imports = self.platform_imports(contest, source, cycle) if source else {}
        honours = {r.entrant: {h["level"] for h in self.organization(r.entrant).honours_in(cycle)} for r in rated}
        return with_evidence(rated, rule, decimals, cycle, imports, honours)

    # -- flags (红旗, 19.4) ---------------------------------------------------------------------

    def flag_rules(self, contest: str, cycle: str) -> tuple[dict[str, Any], RuleSet]:
        """The rule set a flag follows: of the contest's finalized rounds of the cycle, the last
        (by period, then code) whose rules have [[flags]]."""
        for rnd in reversed(self.final_rounds(contest, period=cycle)):  # type: ignore[attr-defined]
            rules = self.rules(rnd.rules)
            if rules.flags:
                return dict(rnd.rules), rules
        raise InvalidValue("flag", cycle, f"no finalized round of contest {contest} in {cycle} has rules with [[flags]]",
                           f"活动 {contest} 在 {cycle} 年没有规则中带 [[flags]] 红旗设置的已定案轮次")

    def flag_evidence(self, contest: str, organization: str, cycle: str, sources: Sequence[str]) -> flag_rules.FlagEvidence:
        """What an organization's flag criteria are checked against in a cycle."""
        c = self.contest(contest)
        org = self.organization(organization)
        view = self.standings(c.code, org.unit, cycle)  # type: ignore[attr-defined]
        score = next((Fraction(s.shown) for s in view.standings if s.entrant == org.code), None)
        platform = {s: platform_value(self.platform_imports(c.code, s, cycle), org.code, cycle) for s in sources}
        honours = tuple((h["number"], h["level"], h["name"]) for h in org.honours_in(cycle))
        stars: int | None = None
        vetoes: list[str] = []
        for level in c.levels:
            cert = self.find(certification_id(org.code, level, cycle), Certification)
            if cert is None:
                continue
            vetoes.extend(v["item"] for v in cert.vetoes)
            if cert.state == CERTIFIED and cert.stars is not None:
                stars = max(stars or 0, cert.stars)
        return flag_rules.FlagEvidence(score, platform, honours, stars, tuple(vetoes))

    def _flag_key(self, organization: str, flag: str, cycle: str) -> tuple[str, str, str]:
        return (texts.entity_code(organization, "organization"), texts.code(flag, "flag", lower=True),
                check_cycle(cycle))

    def flag(self, organization: str, flag: str, cycle: str) -> Flag:
        organization, flag, cycle = self._flag_key(organization, flag, cycle)
        found = self.find(flag_id(organization, flag, cycle), Flag)
        if found is None:
            raise FlagNotFound(organization=organization, flag=flag, cycle=cycle)
        return found

    def nominate_flag(self, contest: str, organization: str, flag: str, cycle: str, by: Actor,
                      key: str | None = None, rules: str | None = None) -> Flag:
        """Nominate under ``rules`` ("code" or "code@version") when given, else under the rules
        of the contest's last finalized round of the cycle that has [[flags]]."""
        c = self.contest(contest)
        organization, flag, cycle = self._flag_key(organization, flag, cycle)
        self.organization(organization)
        if organization not in c.roster:
            raise InvalidValue("organization", organization, f"not enrolled in contest {c.code}",
                               f"未报名活动 {c.code}")
        if rules is not None:
            ref = self.rules_ref(rules)
            ruleset = self.rules(ref)
        else:
            ref, ruleset = self.flag_rules(c.code, cycle)
        rule = next((f for f in ruleset.flags if f.code == flag), None)
        if rule is None:
            codes = ", ".join(f.code for f in ruleset.flags) or "-"
            raise InvalidValue("flag", flag, f"not a flag of rules {ruleset.ref} ({codes})",
                               f"不是规则 {ruleset.ref} 中的红旗（{codes}）")
        found = self.find(flag_id(organization, flag, cycle), Flag)
        if found is not None and found.contest != c.code:
            raise InvalidValue("flag", flag, f"{organization} was nominated for {flag} of {cycle} in contest "
                               f"{found.contest}, not {c.code}", f"{organization} 的 {cycle} 年 {flag} 红旗已在活动 "
                               f"{found.contest} 中提名，不属于活动 {c.code}")
        if found is not None:
            return found  # nominated before: one record per organization, flag and cycle
        return self.add(Flag.nominate(c.code, organization, flag, rule.name, cycle, ref, by, key,
                                      chosen=rules is not None))

    def flag_definition(self, f: Flag) -> flag_rules.Flag:
        rules = self.rules(f.rules)
        found = next((d for d in rules.flags if d.code == f.flag), None)
        if found is None:
            raise InvalidValue("flag", f.flag, f"rules {rules.ref} no longer define it", f"规则 {rules.ref} 中已没有这面红旗")
        return found

    def assess_flag(self, organization: str, flag: str, cycle: str, by: Actor,
                    key: str | None = None) -> list[dict[str, Any]]:
        f = self.flag(organization, flag, cycle)
        definition = self.flag_definition(f)
        sources = [c.source for c in definition.criteria if c.source]
        results = flag_rules.check(definition, self.flag_evidence(f.contest, f.organization, f.cycle, sources))
        f.assess(results, by, key)
        return results

    def award_flag(self, organization: str, flag: str, cycle: str, by: Actor, note: str | None = None,
                   key: str | None = None) -> None:
        f = self.flag(organization, flag, cycle)
        if f.seen(key) is not None:
            return
        now = None
        if f.state == "assessed":  # the criteria checked again: an award stands on the evidence assessed
            definition = self.flag_definition(f)
            sources = [c.source for c in definition.criteria if c.source]
            now = flag_rules.check(definition, self.flag_evidence(f.contest, f.organization, f.cycle, sources))
        honours = {h["number"]: h for h in self.organization(f.organization).honours}
        recorded_by = frozenset(str(honours[x["number"]].get("actor")) for r in f.results if r.get("kind") == "honour"
                                for x in (r.get("found") or []) if x.get("number") in honours)
        f.award(note, by, key, evidence_now=now, recorded_by=recorded_by)

    def decline_flag(self, organization: str, flag: str, cycle: str, reason: str, by: Actor,
                     key: str | None = None) -> None:
        self.flag(organization, flag, cycle).decline(reason, by, key)

    def revoke_flag(self, organization: str, flag: str, cycle: str, reason: str, by: Actor,
                    key: str | None = None) -> None:
        self.flag(organization, flag, cycle).revoke(reason, by, key)
