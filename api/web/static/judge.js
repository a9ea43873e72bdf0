/* Judging on a phone: marks checked as they are typed, read exactly as the server reads
   them (full-width digits too), the sheet's total computed exactly from the valid marks
   only, and an outbox kept in this browser's storage.  A sheet is sent with its own
   Idempotency-Key and retried with the same key until the server answers: on a flaky
   network it is never lost and never recorded twice.  The pages are kept on the phone by a
   service worker (judge-sw.js: what it keeps, for whom), so a judge who opened them once
   with a network can open and fill them without one. */
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);

  // -- offline start ------------------------------------------------------------------------
  const copy = document.querySelector('meta[name="leitai-offline-copy"]');  // this page is the kept copy
  if (copy && $("offline-copy")) {
    const saved = new Date(copy.content);
    const time = $("offline-copy-time");
    time.dateTime = copy.content;
    time.textContent = isNaN(saved) ? copy.content : saved.toLocaleString(Leitai.zh() ? "zh-CN" : "en-GB");
    $("offline-copy").hidden = false;
  }
  const host = document.querySelector("[data-worker]");
  const workers = host && "serviceWorker" in navigator;
  function tellWorker(message) {
    if (!workers) return;
    navigator.serviceWorker.ready.then((registration) => {
      if (registration.active) registration.active.postMessage(message);
    }).catch(() => {});
  }
  if (workers) {
    const loadedThroughWorker = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(host.dataset.worker, { scope: "/judge", updateViaCache: "none" })
      .then(() => { if (!loadedThroughWorker && !copy) tellWorker({ save: location.pathname }); })
      .catch(() => { /* no worker (a private window, an old browser): the page works online as before */ });
  }
  // signing out, on this page or any other, deletes the copies: leitai.js

  const root = $("judging");
  if (!root) return;
  const decimals = Number(root.dataset.decimals);
  const STORE = "leitai-outbox:" + root.dataset.round + ":" + root.dataset.judge;
  const list = $("outbox-list");
  const offline = $("offline");
  const signin = $("signin");
  const msg = (name) => root.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)] || name;
  let outbox = [];
  try { outbox = JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { outbox = []; }
  outbox.forEach((item) => { if (item.state === "sending") item.state = "pending"; });
  let sending = false;

  // -- a mark, read as the server reads it (domain/numbers.py parse_decimal; rulebook §3.1) --
  // Unicode NFKC first (the full-width ２８．５ of a Chinese input method becomes 28.5), the
  // typographic minus signs as "-", white space trimmed as Python's str.strip trims it; then a
  // plain decimal, an exponent allowed.  The server is the authority: this only never refuses
  // what it accepts, and shows the value as it will be recorded.
  const MINUSES = /[\u2212\uff0d\u2013\ufe63]/g;
  const SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
  const TRIM = new RegExp("^" + SPACE + "+|" + SPACE + "+$", "g");
  const PLAIN = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]{1,3}))?$/;
  const OTHER_DIGIT = /(?![0-9])\p{Nd}/u;
  const LIMIT = 12, DIGITS = 24;  // domain/numbers.py MAX_SCALE, MAX_DIGITS

  // {empty} | {problem} | {coef, scale, negative, text}: the value is coef / 10^scale, exactly
  function read(raw) {
    if ([...raw].length > 64) return { problem: "nan" };
    const text = raw.normalize("NFKC").replace(MINUSES, "-").replace(TRIM, "");
    if (text === "") return { empty: true };
    const m = PLAIN.exec(text);
    if (!m || (m[2] === "" && !m[3])) return { problem: OTHER_DIGIT.test(text) ? "digits" : "nan" };
    const [, sign, whole, frac = "", exp = "0"] = m;
    let coef = BigInt((whole + frac) || "0");
    let scale = frac.length - Number(exp);
    if (coef === 0n) scale = 0;
    while (coef !== 0n && coef % 10n === 0n) { coef /= 10n; scale -= 1; }
    const digits = coef.toString().length;
    if (coef !== 0n && (digits - 1 - scale > LIMIT || scale > LIMIT)) return { problem: "nan" };
    if (digits > DIGITS) return { problem: "nan" };
    if (scale < 0) { coef *= 10n ** BigInt(-scale); scale = 0; }
    return { coef, scale, negative: sign === "-" && coef !== 0n, text: show(coef, scale, sign === "-" && coef !== 0n) };
  }
  function show(coef, scale, negative) {
    let text = coef.toString();
    if (scale > 0) {
      text = text.padStart(scale + 1, "0");
      text = text.slice(0, -scale) + "." + text.slice(-scale);
    }
    return (negative ? "-" : "") + text;
  }
  const at = (value, scale) => value.coef * 10n ** BigInt(scale - value.scale);

  // one field: "empty", "bad" or "good" (with the value); says what is wrong beside it
  function check(input) {
    const value = read(input.value);
    const error = $(input.getAttribute("aria-describedby"));
    let problem = "";
    if (value.problem) problem = msg(value.problem);
    else if (!value.empty) {
      const max = read(input.dataset.max);
      const scale = Math.max(value.scale, max.scale);
      if (value.negative) problem = msg("negative");
      else if (at(value, scale) > at(max, scale)) problem = msg("max") + " " + input.dataset.max;
      else if (value.scale > decimals) problem = msg("decimals") + " (" + decimals + ")";
    }
    error.textContent = problem;
    input.setAttribute("aria-invalid", problem ? "true" : "false");
    return { state: problem ? "bad" : value.empty ? "empty" : "good", value };
  }

  // the total of the valid marks only; an incomplete sheet says so (and why) beside it
  function total(form) {
    const inputs = [...form.querySelectorAll(".marks input")];
    const checked = inputs.map(check);
    const good = checked.filter((c) => c.state === "good").map((c) => c.value);
    const bad = checked.filter((c) => c.state === "bad").length;
    const empty = checked.filter((c) => c.state === "empty").length;
    const output = form.querySelector("output[name=total]");
    const note = form.querySelector(".total-note");
    const scale = Math.max(decimals, ...good.map((v) => v.scale));
    output.textContent = good.length ? show(good.reduce((sum, v) => sum + at(v, scale), 0n), scale, false) : "—";
    output.dataset.complete = bad || empty ? "no" : "yes";
    note.textContent = bad ? msg("totalInvalid").replace("{n}", bad)
      : empty && good.length ? msg("totalMissing").replace("{n}", empty) : "";
    note.className = "total-note" + (bad ? " error-text" : " note");
    note.hidden = !note.textContent;
    return { checked, bad, empty };
  }

  function save() {
    outbox = outbox.slice(-100);
    try { localStorage.setItem(STORE, JSON.stringify(outbox)); } catch (e) { /* full: kept in memory */ }
    render();
  }

  function formOf(entrant) { return root.querySelector(`form.sheet[data-entrant="${CSS.escape(entrant)}"]`); }

  // a sheet the server holds: the card offers a correction, with its reason
  function submitted(form) {
    form.dataset.submitted = "yes";
    form.querySelector(".reason").hidden = false;
    form.querySelector("button[type=submit]").textContent = msg("correct");
    const heading = form.querySelector("h2");
    if (!heading.querySelector(".badge")) {
      const badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = msg("submitted");
      heading.append(" ", badge);
    }
  }

  function render() {
    list.innerHTML = "";
    const latest = new Map();
    for (const item of outbox) latest.set(item.entrant, item);
    for (const item of outbox.slice().reverse()) {
      const li = document.createElement("li");
      li.className = "out-" + item.state;
      li.dataset.entrant = item.entrant;
      li.dataset.state = item.state;
      li.textContent = item.entrant + " · " + Object.entries(item.marks).map(([k, v]) => k + "=" + v).join(" ") +
        " — " + msg(item.state) + (item.message ? ": " + item.message : "");
      list.appendChild(li);
    }
    $("outbox").hidden = outbox.length === 0;
    // each card says where its latest sheet is: waiting, sending, sent, or refused and why
    for (const [entrant, item] of latest) {
      const form = formOf(entrant);
      if (!form) continue;
      const state = form.querySelector(".sheet-state");
      state.dataset.state = item.state;
      state.className = "sheet-state" + (item.state === "refused" ? " error-text" : "");
      state.textContent = msg(item.state) + (item.message ? (Leitai.zh() ? "：" : ": ") + item.message : "");
      if (item.state === "sent" && form.dataset.submitted !== "yes") submitted(form);
    }
  }

  // The page's session token: in a page from the server, in its meta element.  A kept copy has
  // none (judge-sw.js): it is fetched with the browser's cookie from this page's address, and
  // used only if that page is this same account's and judge's.
  let tokenAsked = 0;
  async function token() {
    if (document.querySelector('meta[name="leitai-token"]')) return true;
    if (Date.now() - tokenAsked < 30000) return false;
    tokenAsked = Date.now();
    const response = await fetch(location.pathname, { credentials: "same-origin", cache: "no-store",
                                                      headers: { Accept: "text/html" } });
    const fresh = response.ok && new URL(response.url).pathname === location.pathname
      ? new DOMParser().parseFromString(await response.text(), "text/html") : null;
    const account = (doc) => (doc.querySelector('meta[name="leitai-judge-account"]') || {}).content;
    const found = fresh && fresh.querySelector('meta[name="leitai-token"]');
    const judging = fresh && fresh.getElementById("judging");
    if (!found || !judging || judging.dataset.judge !== root.dataset.judge || account(fresh) !== account(document)) {
      signin.hidden = false;  // signed out, or someone else is: the sheets stay here
      return false;
    }
    const meta = document.createElement("meta");
    meta.name = "leitai-token";
    meta.content = found.content;
    document.head.appendChild(meta);
    signin.hidden = true;
    if ($("offline-copy")) $("offline-copy").hidden = true;  // the server answers again
    return true;
  }

  const OWN_WORDS = { DuplicateSheet: "duplicate", SheetsNotAccepted: "closed", SheetsNotYetAccepted: "notYet" };

  async function send() {
    if (sending || !outbox.some((i) => i.state === "pending")) return;
    sending = true;
    let accepted = 0;
    try {
      try {
        if (!(await token())) return;
      } catch (e) {
        offline.hidden = false;  // no network to ask for it: later
        return;
      }
      for (const item of outbox) {
        if (item.state !== "pending") continue;
        item.state = "sending";
        save();
        const url = item.kind === "correct"
          ? root.dataset.submitUrl + "/" + encodeURIComponent(item.entrant) + "/correction"
          : root.dataset.submitUrl;
        const body = item.kind === "correct" ? { marks: item.marks, reason: item.reason }
          : { entrant: item.entrant, marks: item.marks };
        let result;
        try {
          result = await Leitai.api("POST", url, body, item.key);
        } catch (e) {
          item.state = "pending";  // the network: keep it, same key, try again
          offline.hidden = false;
          save();
          break;
        }
        offline.hidden = true;
        if (result.ok) {
          item.state = "sent";
          item.message = "";
          accepted += 1;
          const form = formOf(item.entrant);
          if (form) {
            submitted(form);
            if (item.kind === "correct") form.querySelector("input[name=reason]").value = "";
          }
        } else if (result.status === 401) {
          item.state = "pending";  // the session is over: same key, once signed in again
          document.querySelectorAll('meta[name="leitai-token"]').forEach((m) => m.remove());
          tokenAsked = 0;
          signin.hidden = false;
          save();
          break;
        } else if (result.status >= 500 || result.status === 429 || result.status === 408) {
          item.state = "pending";  // the server could not answer now: same key, later
          save();
          break;
        } else {
          item.state = "refused";  // the rules refused it: say why; nothing was recorded
          const code = (result.data || {}).code;
          item.message = OWN_WORDS[code] ? msg(OWN_WORDS[code]) : Leitai.describe(result);
          const form = formOf(item.entrant);
          if (code === "DuplicateSheet" && form) submitted(form);  // the server has one: correct it
        }
        save();
      }
    } finally {
      sending = false;
      if (accepted) tellWorker({ save: location.pathname });  // the kept copy shows the sheets sent
    }
  }

  root.addEventListener("input", (event) => {
    const input = event.target.closest(".marks input");
    if (input) total(input.closest("form"));
  });
  // once typed, the mark is shown as it will be recorded: ２８．５ -> 28.5
  root.addEventListener("change", (event) => {
    const input = event.target.closest(".marks input");
    if (!input) return;
    const { state, value } = check(input);
    if (state === "good" && input.value !== value.text) input.value = value.text;
    total(input.closest("form"));
  });

  root.addEventListener("submit", (event) => {
    const form = event.target.closest("form.sheet");
    if (!form) return;
    event.preventDefault();
    const inputs = [...form.querySelectorAll(".marks input")];
    const { checked, bad, empty } = total(form);
    const state = form.querySelector(".sheet-state");
    state.dataset.state = "";
    state.className = "sheet-state error-text";
    if (bad || empty) {
      state.textContent = msg(bad ? "invalid" : "missing");
      inputs[checked.findIndex((c) => c.state !== "good")].focus();
      return;
    }
    const correcting = form.dataset.submitted === "yes";
    const reason = form.querySelector("input[name=reason]");
    if (correcting && !reason.value.trim()) { state.textContent = msg("reason"); reason.focus(); return; }
    const marks = {};
    inputs.forEach((input, i) => {
      input.value = checked[i].value.text;
      marks[input.name] = checked[i].value.text;
    });
    outbox.push({ key: Leitai.newKey(), entrant: form.dataset.entrant, marks, kind: correcting ? "correct" : "submit",
                  reason: correcting ? reason.value.trim() : "", state: "pending", at: Date.now() });
    save();
    send();
  });

  root.querySelectorAll("form.sheet").forEach(total);
  window.addEventListener("online", () => { tokenAsked = 0; send(); });
  window.addEventListener("offline", () => { offline.hidden = false; });
  setInterval(() => { if (outbox.some((i) => i.state === "pending")) send(); }, 3000);
  render();
  send();
})();
