"""How one entrant's result was reached, step by step, from the recorded events.

The explanation lists every valid sheet with the event that recorded it, what the
panel method left out, each component and its weight, every assessment value or vote
count with its history (each value's event, who recorded it, when and why it replaced the
one before), every adjustment, the unrounded and rounded final, the rank and the tie-break
that decided it; then the sheets that do not count (voided, corrected versions, recused
judges), the appeals that touched it and, for a finalist admitted by promotion, where it
came from and how a change of its source round's results revised it.
"""

from __future__ import annotations

from typing import Any

from domain.model.round import Round
from domain.numbers import exact_text, fixed, readable, show
from domain.rules.engine import EntrantResult, RoundResult, panel_score
from domain.errors import EntrantNotAdmitted


def explanation(rnd: Round, result: RoundResult, entrant: str) -> dict[str, Any]:
    e = result.entry(entrant)
    if e is None:
        raise EntrantNotAdmitted(round=rnd.code, entrant=entrant)
    rules = result.rules
    d = rules.result_decimals
    panel = panel_score(rules, e.sheets, detail=True) if e.panel is not None else None
    left_out: dict[str, str] = {}
    if panel is not None and panel.by_total is not None:
        left_out.update({j: "lowest" for j in panel.by_total.dropped_low})
        left_out.update({j: "highest" for j in panel.by_total.dropped_high})
    sheets = []
    for s in e.sheets:
        dropped_criteria = {}
        if panel is not None and rules.panel.trim_on == "criterion":
            for code, agg in panel.by_criterion.items():
                if s.judge in agg.dropped_low or s.judge in agg.dropped_high:
                    dropped_criteria[code] = "lowest" if s.judge in agg.dropped_low else "highest"
        sheets.append({
            "judge": s.judge, "judge_name": rnd.judges[s.judge].name if s.judge in rnd.judges else "",
            "event": s.ref, "first_event": s.sheet, "corrections": s.versions - 1,
            "marks": {c: exact_text(v) for c, v in s.marks.items()}, "total": exact_text(s.total),
            "dropped": left_out.get(s.judge), "dropped_criteria": dropped_criteria,
        })
    components = [{
        "code": c.code, "source": c.source, "weight": exact_text(c.weight),
        "value": None if c.code not in e.components else exact_text(e.components[c.code]),
        "readable": None if c.code not in e.components else readable(e.components[c.code]),
        "shown": None if c.code not in e.components else show(e.components[c.code], d + 2),
        "linked_round": rnd.links.get(c.code),
    } for c in rules.components]
    return {
        "round": rnd.code, "status": rnd.status, "seal": rnd.seal,
        "rules": {"code": rules.code, "version": rules.version, "digest": rnd.rules.get("digest")},
        "entrant": e.entrant, "name": e.name, "entrant_status": e.status, "status_reason": e.status_reason,
        "panel": None if panel is None else {
            "method": rules.panel.method, "trim": rules.panel.trim, "trim_on": rules.panel.trim_on,
            "sheets_valid": len(e.sheets), "sheets_needed": e.sheets_needed, "value": exact_text(panel.value),
            "readable": readable(panel.value),
            "by_criterion": {c: exact_text(a.value) for c, a in panel.by_criterion.items()},
        },
        "sheets": sheets,
        "not_counted": _not_counted(rnd, entrant),
        "history": _history(rnd, entrant),
        "inputs": _inputs(rnd, entrant),
        "admission": _admission(rnd, entrant),
        "components": components,
        "adjustments": [{"event": a.ref, "points": exact_text(a.points), "reason": a.reason} for a in e.adjustments],
        "bonus": exact_text(e.bonus), "penalty": exact_text(e.penalty),
        "exact_final": None if e.exact_final is None else exact_text(e.exact_final),
        "exact_final_readable": None if e.exact_final is None else readable(e.exact_final),
        "final": None if e.final is None else fixed(e.final, d), "decimals": d,
        "rank": e.rank, "tied": e.tied, "ties": _ties(e),
        "award": e.award, "award_name": next((a.name for a in rules.awards if a.code == e.award), None),
        "promotion": e.promotion, "reason": e.promotion_reason,
        "appeals": [{"event": rnd.ref(a.id), "kind": a.kind, "filed_on": a.filed_on, "decision": a.decision,
                     "reply": a.reply, "corrections": [rnd.ref(c) for c in a.corrections]}
                    for a in rnd.appeals.values() if a.entrant in (None, entrant)],
    }


def _ties(e: EntrantResult) -> list[dict[str, Any]]:
    return [{"other": t.other, "breaker": t.breaker,
             "mine": None if t.mine is None else exact_text(t.mine),
             "theirs": None if t.theirs is None else exact_text(t.theirs)} for t in e.tie_notes]


def _not_counted(rnd: Round, entrant: str) -> list[dict[str, Any]]:
    out = []
    for record in sorted(rnd.sheets.values(), key=lambda r: r.sheet):
        if record.entrant != entrant:
            continue
        # history: the submission, its corrections and, last, the void if there is one
        marks_versions = record.history[:-1] if record.voided else record.history
        for version, replaced_by in zip(marks_versions, marks_versions[1:]):
            out.append({"event": rnd.ref(version), "judge": record.judge, "why": "corrected",
                        "by": rnd.ref(replaced_by)})
        if record.voided:
            out.append({"event": rnd.ref(marks_versions[-1]), "judge": record.judge, "why": "voided",
                        "by": rnd.ref(record.history[-1])})
        elif (record.judge, entrant) in rnd.recusals:
            out.append({"event": rnd.ref(record.ref), "judge": record.judge, "why": "recused", "by": None})
    for (judge, who), reason in sorted(rnd.recusals.items()):
        if who == entrant:
            out.append({"event": None, "judge": judge, "why": "recusal", "reason": reason, "by": None})
    return out


def _history(rnd: Round, entrant: str) -> list[dict[str, Any]]:
    """Every sheet and input event for this entrant, oldest first: who submitted, corrected
    or voided which sheet, who recorded or replaced which value, and why."""
    out = []
    for record in rnd.sheets.values():
        if record.entrant != entrant:
            continue
        for version, kind, actor, reason in record.log:
            out.append({"event": rnd.ref(version), "seq": version, "judge": record.judge, "kind": kind,
                        "actor": actor, "reason": reason})
    for (who, component), log in rnd.input_log.items():
        if who != entrant:
            continue
        for i, entry in enumerate(log):
            out.append({"event": rnd.ref(entry.version), "seq": entry.version, "judge": None,
                        "kind": "input_replaced" if i else "input", "component": component, "value": entry.value,
                        "actor": entry.actor, "at": entry.at, "reason": entry.reason})
    return sorted(out, key=lambda h: h["seq"])


def _inputs(rnd: Round, entrant: str) -> list[dict[str, Any]]:
    """Each assessment value or vote count of the entrant as it stands, with every value
    recorded for it: the event (ROUND#VERSION), who, when, why it replaced the one before."""
    out = []
    for (who, component), log in sorted(rnd.input_log.items()):
        if who != entrant or not log:
            continue
        history = [{"event": rnd.ref(e.version), "value": e.value, "actor": e.actor, "at": e.at, "reason": e.reason,
                    "appeal": None if e.appeal is None else rnd.ref(e.appeal),
                    "replaces": rnd.ref(log[i - 1].version) if i else None} for i, e in enumerate(log)]
        out.append({"component": component, **{k: history[-1][k] for k in ("value", "event", "actor", "at", "reason")},
                    "history": history})
    return out


def _admission(rnd: Round, entrant: str) -> dict[str, Any] | None:
    """How a finalist entered this round by promotion (the source round, its rank and final
    there) and every revision a change of that round's results made (withdrawn, admitted
    again, its source updated), with who, when and why; None for an entrant not promoted."""
    record = rnd.entrants.get(entrant)
    if record is not None and record.source.get("kind") == "federation":  # 市级联动 (projections/federation.py)
        from projections.federation import admission_words

        return admission_words(record.source)
    if record is None or record.source.get("kind") != "promotion":
        return None
    source = record.source
    return {"round": source.get("round"), "rank": source.get("rank"), "final": source.get("final"),
            "seal": source.get("seal"), "rules": source.get("rules"),
            "revisions": [{"event": rnd.ref(r["seq"]), "kind": r["kind"], "round": r["source"].get("round"),
                           "rank": r["source"].get("rank"), "final": r["source"].get("final"), "actor": r["actor"],
                           "at": r["at"], "reason": r["reason"]}
                          for r in rnd.revisions if r["entrant"] == entrant]}
