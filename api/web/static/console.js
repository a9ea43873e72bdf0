/* The console's one-step acceptance of a unit's star recommendations: the exceptions
   chosen in the table (改定为) and the unit are sent first as a preview - the server
   answers exactly what it would record - and the confirmation lists it all: the
   exceptions set by hand, the recommendations accepted (by stars), the decisions made
   before, those certified already.  Confirmed, the same request is recorded with an
   Idempotency-Key (a retry after a lost answer records nothing twice). */
"use strict";
(() => {
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));

  function scope(form) {
    const unit = form.elements["unit"].value;
    const table = document.querySelector(`table[data-board="${CSS.escape(form.id)}"]`);
    const rows = table ? [...table.querySelectorAll("tbody tr")] : [];
    const inside = new Set(rows.filter((r) => (r.dataset.units || "").split(" ").includes(unit))
      .map((r) => r.dataset.organization));
    const exceptions = [];
    for (const select of document.querySelectorAll(`select[form="${CSS.escape(form.id)}"][name="except"]`)) {
      if (!select.value || !inside.has(select.dataset.organization)) continue;
      exceptions.push({ organization: select.dataset.organization, stars: select.value === "none" ? null : Number(select.value) });
    }
    return { unit, exceptions };
  }

  function listing(form, plan) {
    const t = form.dataset;
    const stars = (n) => n === null || n === undefined ? t.tNoRating : (n > 0 ? "★".repeat(n) : "0");
    const unitName = form.elements["unit"].selectedOptions[0].textContent;
    const lines = [fill(t.tIntro, { unit: unitName, level: t.levelWord, cycle: t.cycle, n: plan.accepted.length })];
    const byHand = plan.accepted.filter((a) => a.exception);
    const decided = plan.accepted.filter((a) => !a.exception && a.step === "certified");
    const accepted = plan.accepted.filter((a) => !a.exception && a.step !== "certified");
    const who = (a) => a.organization + " " + a.name;
    const zh = Leitai.zh();
    const colon = zh ? "：" : ": ";
    if (byHand.length) {
      lines.push("", fill(t.tExceptions, { n: byHand.length }));
      for (const a of byHand) {
        const was = t.tRecommended + " " + stars(a.recommended);
        lines.push("  " + who(a) + colon + stars(a.stars) + (zh ? "（" + was + "）" : " (" + was + ")")
          + (a.reason ? (zh ? "；" : "; ") + (zh ? t.tReason : t.tReason.toLowerCase()) + colon + a.reason : ""));
      }
    }
    if (accepted.length) {
      lines.push("", fill(t.tAccepted, { n: accepted.length }));
      const groups = new Map();
      for (const a of accepted) {
        const key = a.stars === null ? -1 : a.stars;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key).push(a);
      }
      for (const key of [...groups.keys()].sort((x, y) => y - x)) {
        const group = groups.get(key);
        lines.push("  " + stars(key < 0 ? null : key) + " · " + fill(t.tCount, { n: group.length }) + colon
          + group.map(who).join(zh ? "、" : ", "));
      }
    }
    if (decided.length) {
      lines.push("", fill(t.tDecided, { n: decided.length }));
      for (const a of decided) lines.push("  " + who(a) + colon + stars(a.stars));
    }
    if (plan.already.length) lines.push("", fill(t.tAlready, { n: plan.already.length }));
    if (!plan.accepted.length) lines.push("", t.tNothing);
    return lines.join("\n");
  }

  async function accept(form) {
    const out = form.querySelector(".result");
    const button = form.querySelector("button[type=submit]");
    const say = (text, bad) => {
      if (out) { out.textContent = text; out.classList.toggle("error-text", !!bad); }
      Leitai.toast(text, bad);
    };
    if (out) { out.textContent = ""; out.classList.remove("error-text"); }
    const { unit, exceptions } = scope(form);
    const reason = form.elements["reason"].value.trim() || null;
    const url = "/api/contests/" + encodeURIComponent(form.dataset.contest) + "/certifications/units/"
      + encodeURIComponent(unit) + "/" + encodeURIComponent(form.dataset.level) + "/" + encodeURIComponent(form.dataset.cycle)
      + "/acceptance";
    button.disabled = true;
    try {
      const preview = await Leitai.api("POST", url, { exceptions, reason, preview: true });
      if (!preview.ok) { say(Leitai.describe(preview), true); return; }
      const text = document.getElementById("confirm-text");
      if (text) text.style.whiteSpace = "pre-line";  // one line per group of what will be recorded
      button.disabled = false;
      const yes = await Leitai.confirmDialog(listing(form, preview.data));
      if (text) text.style.whiteSpace = "";
      if (!yes || !preview.data.accepted.length) { button.focus(); return; }
      button.disabled = true;
      form.dataset.key = form.dataset.key || Leitai.newKey();
      const done = await Leitai.api("POST", url, { exceptions, reason }, form.dataset.key);
      if (done.ok) {
        delete form.dataset.key;
        say(Leitai.zh() ? "操作成功" : "Done");
        setTimeout(() => location.reload(), 700);
      } else {
        if (done.status < 500) delete form.dataset.key;
        say(Leitai.describe(done), true);
      }
    } catch (e) {
      say(Leitai.zh() ? "无法连接服务器，请检查网络后重试（不会重复登记）。"
        : "The server cannot be reached; retry when the network is back (nothing is recorded twice).", true);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.accept");
    if (!form) return;
    event.preventDefault();
    accept(form);
  });
})();
