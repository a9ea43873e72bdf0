/* The rule replay view: the changed rule set replayed over the recorded events (nothing
   recorded), the before/after table with moved ranks, prizes and promotions marked; then
   adopt it, or not. */
"use strict";
(() => {
  const form = document.getElementById("replay-form");
  if (!form) return;
  const text = document.getElementById("rules-text");
  const out = document.getElementById("replay-result");
  const adopt = document.getElementById("adopt-form");
  const h = out.dataset;

  document.getElementById("rules-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (file) text.value = await file.text();
  });

  function cell(row, value, cls) {
    const td = document.createElement("td");
    td.textContent = value === null || value === undefined ? "—" : String(value);
    if (cls) td.className = cls;
    row.appendChild(td);
  }

  function table(round) {
    const before = new Map(round.before.entries.map((e) => [e.entrant, e]));
    const after = new Map(round.after.entries.map((e) => [e.entrant, e]));
    const section = document.createElement("section");
    section.className = "card";
    const title = document.createElement("h2");
    title.textContent = round.round;
    section.appendChild(title);
    const t = document.createElement("table");
    t.className = "replay";
    const head = t.createTHead().insertRow();
    for (const label of [h.hOrg, h.hBefore, h.hAfter, h.hScoreBefore, h.hScoreAfter, h.hPrizeBefore, h.hPrizeAfter, h.hPromoted]) {
      const th = document.createElement("th"); th.scope = "col"; th.textContent = label; head.appendChild(th);
    }
    const body = t.createTBody();
    for (const e of round.after.entries) {
      const b = before.get(e.entrant) || {};
      const row = body.insertRow();
      row.dataset.entrant = e.entrant;
      const moved = b.rank !== e.rank, prize = (b.award || null) !== (e.award || null),
        promoted = JSON.stringify(b.promotion || null) !== JSON.stringify(e.promotion || null);
      if (moved || prize || promoted || b.final !== e.final) row.className = "changed";
      cell(row, e.name + " " + e.entrant);
      cell(row, b.rank, moved ? "moved" : "");
      cell(row, e.rank + (moved && b.rank ? (e.rank < b.rank ? " ▲" : " ▼") : ""), moved ? "moved" : "");
      cell(row, b.final); cell(row, e.final, b.final !== e.final ? "moved" : "");
      cell(row, b.award, prize ? "moved" : ""); cell(row, e.award, prize ? "moved" : "");
      cell(row, e.promotion ? "↑" : (b.promotion ? "✕" : ""), promoted ? "moved" : "");
    }
    for (const [code, b] of before) {
      if (!after.has(code)) { const row = body.insertRow(); row.className = "changed"; cell(row, b.name + " " + code); cell(row, b.rank); cell(row, "—"); }
    }
    section.appendChild(t);
    return section;
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
      const s = result.data.summary || {};
      const p = document.createElement("p");
      p.id = "replay-summary";
      p.textContent = h.hChanges + ": " + (s.rounds_changed || 0) + " / " + (s.rounds || 0) + " · " + (s.entrants_changed || 0);
      out.appendChild(p);
      for (const round of result.data.rounds) out.appendChild(table(round));
      if (adopt) { adopt.hidden = false; adopt.elements["rules"].value = text.value; }
    } catch (e) {
      out.textContent = Leitai.zh() ? "无法连接服务器" : "The server cannot be reached";
    }
  });
  if (adopt) adopt.setAttribute("data-stay", "");
})();
