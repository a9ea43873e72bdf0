/* The rule replay view: the changed rule set replayed over the recorded events (nothing
   recorded), from the same report as `leitai replay`: what changes, each kind counted on
   its own; per round every entrant before and after - rank, score, prize and promotion
   outcome (晋级 / 候补 / 未晋级) in words, the changes marked; who enters or leaves the
   next round; period standings; star recommendations.  Then adopt it, or not. */
"use strict";
(() => {
  const form = document.getElementById("replay-form");
  if (!form) return;
  const text = document.getElementById("rules-text");
  const out = document.getElementById("replay-result");
  const adopt = document.getElementById("adopt-form");
  const h = out.dataset;
  const words = JSON.parse(h.words || "{}");
  const word = (code) => (code === null || code === undefined || code === "") ? "" : (words[code] || code);
  const same = (a, b) => JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);
  const stars = (n) => n === null || n === undefined ? h.hNoRating : (n > 0 ? "★".repeat(n) : "0");
  // the order and labels of the counts: the command line prints the same (api/cli/render.py REPLAY_COUNTS)
  const COUNTS = [["rounds", h.hRounds], ["rounds_changed", h.hRoundsChanged], ["ranks_changed", h.hRanks],
    ["finals_changed", h.hFinals], ["awards_changed", h.hAwards], ["promotions_changed", h.hPromotions],
    ["stars_changed", h.hStars]];

  document.getElementById("rules-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) text.value = await file.text();
  });

  function el(tag, content, cls) {
    const node = document.createElement(tag);
    if (content !== undefined && content !== null) node.textContent = String(content);
    if (cls) node.className = cls;
    return node;
  }

  function cell(row, value, cls) {
    const td = el("td", value === null || value === undefined || value === "" ? "—" : value, cls);
    row.appendChild(td);
    return td;
  }

  function headed(table, labels) {
    const head = table.createTHead().insertRow();
    for (const label of labels) { const th = el("th", label); th.scope = "col"; head.appendChild(th); }
    return table.createTBody();
  }

  function summary(s) {
    const box = el("section", null, "card");
    box.id = "replay-summary";
    box.appendChild(el("h2", h.hSummary));
    const wrap = el("div", null, "scroll");
    const t = el("table", null, "replay-counts");
    const row = headed(t, COUNTS.map(([, label]) => label)).insertRow();
    for (const [key] of COUNTS) cell(row, s[key] || 0).dataset.count = key;
    wrap.appendChild(t);
    box.appendChild(wrap);
    return box;
  }

  function outcome(e) {  // the promotion outcome in words, with the reason of the not promoted
    if (!e || !e.promotion) return "";
    const why = e.promotion === "not_promoted" && e.reason ? word(e.reason) : "";
    return word(e.promotion) + (why ? (Leitai.zh() ? "（" + why + "）" : " (" + why + ")") : "");
  }

  function table(round, prizes) {
    const before = new Map(round.before.entries.map((e) => [e.entrant, e]));
    const after = new Map(round.after.entries.map((e) => [e.entrant, e]));
    const prize = (code) => code ? (prizes[code] || code) : "";
    const section = el("section", null, "card replay-round");
    section.dataset.round = round.round;
    section.appendChild(el("h2", round.round));
    if (!round.changes.length) section.appendChild(el("p", h.hUnchanged, "note"));
    const wrap = el("div", null, "scroll");
    const t = el("table", null, "replay");
    const body = headed(t, [h.hOrg, h.hBefore, h.hAfter, h.hScoreBefore, h.hScoreAfter, h.hPrizeBefore,
      h.hPrizeAfter, h.hPromoted]);
    for (const e of round.after.entries) {
      const b = before.get(e.entrant) || {};
      const row = body.insertRow();
      row.dataset.entrant = e.entrant;
      row.dataset.promotion = e.promotion || "";
      const moved = !same(b.rank, e.rank), rescored = !same(b.final, e.final),
        prized = !same(b.award || null, e.award || null), promoted = !same(b.promotion || null, e.promotion || null);
      if (moved || rescored || prized || promoted) row.className = "changed";
      cell(row, e.name + " " + e.entrant);
      cell(row, b.rank, moved ? "moved" : "");
      cell(row, e.rank === null ? null : e.rank + (moved && b.rank && e.rank ? (e.rank < b.rank ? " ▲" : " ▼") : ""),
        moved ? "moved" : "");
      cell(row, b.final); cell(row, e.final, rescored ? "moved" : "");
      cell(row, prize(b.award), prized ? "moved" : ""); cell(row, prize(e.award), prized ? "moved" : "");
      const shown = promoted ? outcome(b) + " → " + outcome(e) : outcome(e);
      const td = cell(row, shown, promoted ? "moved outcome" : "outcome");
      if (e.promotion === "promoted") td.classList.add("promoted");
    }
    for (const [code, b] of before) {
      if (!after.has(code)) { const row = body.insertRow(); row.className = "changed"; cell(row, b.name + " " + code); cell(row, b.rank); cell(row, "—"); }
    }
    wrap.appendChild(t);
    section.appendChild(wrap);
    return section;
  }

  function starChanges(report) {
    const section = el("section", null, "card");
    section.id = "replay-stars";
    section.appendChild(el("h2", h.hStars));
    if (!report.stars.length) section.appendChild(el("p", h.hNoStarChange, "note"));
    for (const scope of report.stars) {
      section.appendChild(el("h3", word(scope.level) + " · " + scope.cycle));
      const t = el("table", null, "replay-stars");
      const body = headed(t, [h.hOrg, h.hStarsBefore, h.hStarsAfter]);
      for (const c of scope.changes) {
        const row = body.insertRow();
        row.dataset.organization = c.organization;
        row.dataset.before = c.stars[0] === null ? "" : c.stars[0];
        row.dataset.after = c.stars[1] === null ? "" : c.stars[1];
        cell(row, (c.name ? c.name + " " : "") + c.organization);
        cell(row, stars(c.stars[0])); cell(row, stars(c.stars[1]), "moved");
      }
      section.appendChild(t);
    }
    return section;
  }

  function finalists(report) {
    const moves = report.finalists.filter((f) => f.gained.length || f.lost.length);
    if (!moves.length) return null;
    const section = el("section", null, "card");
    section.id = "replay-finalists";
    section.appendChild(el("h2", h.hFinalists));
    for (const f of moves) {
      const p = el("p");
      p.dataset.target = f.target;
      p.textContent = f.target + " — " + h.hGained + ": " + (f.gained.join(", ") || h.hNobody) + "; "
        + h.hLost + ": " + (f.lost.join(", ") || h.hNobody);
      section.appendChild(p);
    }
    return section;
  }

  function standings(report) {
    if (!report.standings.length) return null;
    const details = el("details", null, "card");
    details.id = "replay-standings";
    details.appendChild(el("summary", h.hStandings + " (" + report.standings.length + ")"));
    const t = el("table", null, "replay-standings");
    const body = headed(t, [h.hUnit, h.hPeriod, h.hOrg, h.hBefore + " / " + h.hScoreBefore, h.hAfter + " / " + h.hScoreAfter]);
    for (const st of report.standings) {
      for (const c of st.changes) {
        const row = body.insertRow();
        cell(row, st.unit); cell(row, st.period); cell(row, c.entrant);
        const pair = (i) => [c.rank ? c.rank[i] : null, c.score ? c.score[i] : null].filter((v) => v !== null).join(" / ");
        cell(row, pair(0)); cell(row, pair(1), "moved");
      }
    }
    details.appendChild(t);
    return details;
  }

  // 结果运用 (rulebook 15.4): each period's classes and the tasks its close issues, before and after
  function work(report) {
    if (!(report.work || []).length) return null;
    const details = el("details", null, "card");
    details.id = "replay-work";
    details.appendChild(el("summary", h.hWork + " (" + report.work.length + ")"));
    const t = el("table", null, "replay-work");
    const body = headed(t, [h.hUnit, h.hPeriod, h.hClassChange, h.hTasksGained, h.hTasksLost]);
    const name = (w, code) => (code === null || code === undefined) ? "—" : ((w.class_names || {})[code] || code);
    const tasks = (list) => list.map((x) => x.entrant + " " + h.hStep.replace("{n}", x.step)).join(", ");
    for (const w of report.work) {
      const row = body.insertRow();
      cell(row, w.unit); cell(row, w.period);
      cell(row, Object.entries(w.classes).map(([e, v]) => e + " " + name(w, v[0]) + " → " + name(w, v[1])).join(", "), "moved");
      cell(row, tasks(w.tasks_gained)); cell(row, tasks(w.tasks_lost));
    }
    details.appendChild(t);
    return details;
  }

  // 投票 (rulebook 18.5): a recount is a replay - what each voting round's count would change
  function recount(report) {
    if (!(report.voting || []).length) return null;
    const details = el("details", null, "card");
    details.id = "replay-voting";
    details.appendChild(el("summary", h.hRecount + " (" + report.voting.length + ")"));
    const t = el("table", null, "replay-voting");
    const body = headed(t, [h.hRoundCode, h.hVotingRound, h.hOrg, h.hRecountChange]);
    const yes = (v) => typeof v === "boolean" ? (v ? h.hYes : h.hNo) : String(v);
    const kinds = [["rank", h.hRankWord], ["weighted", h.hWeighted], ["carried", h.hCarried], ["fed", h.hFed]];
    for (const v of report.voting) {
      const changes = v.problem ? [{ entrant: "", text: Leitai.zh() ? v.problem[1] : v.problem[0] }]
        : (v.changes || []).map((c) => ({ entrant: c.entrant, text: kinds.filter(([k]) => k in c)
          .map(([k, label]) => label + " " + yes(c[k][0]) + " → " + yes(c[k][1])).join("; ") }));
      if (v.next_candidates) changes.push({ entrant: "", text: h.hNextCandidates + ": " +
        v.next_candidates[0].join(", ") + " → " + v.next_candidates[1].join(", ") });
      if (!changes.length) changes.push({ entrant: "", text: h.hNoChange });
      for (const c of changes) {
        const row = body.insertRow();
        cell(row, v.round); cell(row, v.voting_round); cell(row, c.entrant); cell(row, c.text, "moved");
      }
    }
    details.appendChild(t);
    return details;
  }

  // 红旗 (rulebook 19.4): each flag's criteria checked under the new rules
  function flags(report) {
    if (!(report.flags || []).length) return null;
    const details = el("details", null, "card");
    details.id = "replay-flags";
    details.appendChild(el("summary", h.hFlags + " (" + report.flags.length + ")"));
    const t = el("table", null, "replay-flags");
    const body = headed(t, [h.hOrg, h.hFlag, h.hCycle, h.hMetBefore, h.hMetAfter]);
    const met = (v) => v === null || v === undefined ? h.hNotAssessed : (v ? h.hMet : h.hNotMet);
    for (const f of report.flags) {
      const row = body.insertRow();
      cell(row, f.organization); cell(row, f.flag_name); cell(row, f.cycle);
      cell(row, met(f.met[0])); cell(row, met(f.met[1]) + (f.defined ? "" : " (" + h.hNoSuchFlag + ")"), "moved");
    }
    details.appendChild(t);
    return details;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    out.textContent = "…";
    try {
      const result = await Leitai.api("POST", form.dataset.url, { rules: text.value, contest: form.dataset.contest });
      out.innerHTML = "";
      if (!result.ok) { out.textContent = Leitai.describe(result); out.className = "error-text"; return; }
      out.className = "";
      const report = result.data;
      out.appendChild(summary(report.summary || {}));
      out.appendChild(starChanges(report));
      for (const part of [finalists(report), standings(report), work(report), recount(report), flags(report)]) {
        if (part) out.appendChild(part);
      }
      for (const round of report.rounds) out.appendChild(table(round, (report.award_names || {})[round.round] || {}));
      if (adopt) { adopt.hidden = false; adopt.elements["rules"].value = text.value; }
    } catch (e) {
      out.textContent = Leitai.zh() ? "无法连接服务器" : "The server cannot be reached";
    }
  });
  if (adopt) adopt.setAttribute("data-stay", "");
})();
