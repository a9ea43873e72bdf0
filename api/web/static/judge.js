/* Judging on a phone: marks checked as they are typed (maximum, decimals), the sheet's
   total computed exactly, and an outbox kept in this browser's storage.  A sheet is sent
   with its own Idempotency-Key and retried with the same key until the server answers:
   on a flaky network it is never lost and never recorded twice. */
"use strict";
(() => {
  const root = document.getElementById("judging");
  if (!root) return;
  const decimals = Number(root.dataset.decimals);
  const STORE = "leitai-outbox:" + root.dataset.round + ":" + root.dataset.judge;
  const list = document.getElementById("outbox-list");
  const offline = document.getElementById("offline");
  const msg = (name) => root.dataset["msg" + name.charAt(0).toUpperCase() + name.slice(1)];
  let outbox = [];
  try { outbox = JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { outbox = []; }
  outbox.forEach((item) => { if (item.state === "sending") item.state = "pending"; });
  let sending = false;

  const PATTERN = /^\d{1,6}(\.\d{1,12})?$/;
  function scaled(text, places) {  // "12.5" with 2 places -> 1250n: exact, no floating point
    const [whole, frac = ""] = text.split(".");
    return BigInt(whole) * 10n ** BigInt(places) + BigInt((frac + "0".repeat(places)).slice(0, places) || "0");
  }
  function places(text) { return (text.split(".")[1] || "").length; }

  function check(input) {
    const value = input.value.trim();
    const error = document.getElementById(input.getAttribute("aria-describedby"));
    let problem = "";
    if (value === "") problem = "";
    else if (!PATTERN.test(value)) problem = msg("nan");
    else if (places(value) > decimals) problem = msg("decimals") + " (" + decimals + ")";
    else {
      const max = input.dataset.max;
      const p = Math.max(places(value), places(max));
      if (scaled(value, p) > scaled(max, p)) problem = msg("max") + " " + max;
    }
    error.textContent = problem;
    input.setAttribute("aria-invalid", problem ? "true" : "false");
    return !problem && value !== "";
  }

  function total(form) {
    const inputs = [...form.querySelectorAll(".marks input")];
    const p = Math.max(decimals, ...inputs.map((i) => places(i.value.trim())));
    let sum = 0n;
    for (const input of inputs) {
      const value = input.value.trim();
      if (PATTERN.test(value)) sum += scaled(value, p);
    }
    const text = sum.toString().padStart(p + 1, "0");
    form.querySelector("output[name=total]").textContent = p ? text.slice(0, -p) + "." + text.slice(-p) : text;
  }

  function save() {
    outbox = outbox.slice(-100);
    localStorage.setItem(STORE, JSON.stringify(outbox));
    render();
  }

  function render() {
    list.innerHTML = "";
    for (const item of outbox.slice().reverse()) {
      const li = document.createElement("li");
      li.className = "out-" + item.state;
      li.dataset.entrant = item.entrant;
      li.dataset.state = item.state;
      li.textContent = item.entrant + " · " + Object.entries(item.marks).map(([k, v]) => k + "=" + v).join(" ") +
        " — " + msg(item.state) + (item.message ? ": " + item.message : "");
      list.appendChild(li);
    }
    document.getElementById("outbox").hidden = outbox.length === 0;
  }

  function formOf(entrant) { return root.querySelector(`form.sheet[data-entrant="${CSS.escape(entrant)}"]`); }

  async function send() {
    if (sending) return;
    sending = true;
    try {
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
          const form = formOf(item.entrant);
          if (form) {
            form.dataset.submitted = "yes";
            form.querySelector(".reason").hidden = false;
            form.querySelector("button[type=submit]").textContent = Leitai.zh() ? "更正" : "Correct";
          }
        } else if (result.status >= 500 || result.status === 429 || result.status === 408) {
          item.state = "pending";  // the server could not answer now: same key, later
          save();
          break;
        } else {
          item.state = "refused";  // the rules refused it: say why; nothing was recorded
          item.message = Leitai.describe(result);
        }
        save();
      }
    } finally {
      sending = false;
    }
  }

  root.addEventListener("input", (event) => {
    const input = event.target.closest(".marks input");
    if (!input) return;
    check(input);
    total(input.closest("form"));
  });

  root.addEventListener("submit", (event) => {
    const form = event.target.closest("form.sheet");
    if (!form) return;
    event.preventDefault();
    const inputs = [...form.querySelectorAll(".marks input")];
    const good = inputs.map(check).every(Boolean);
    const state = form.querySelector(".sheet-state");
    if (!good) { state.textContent = msg("nan"); inputs.find((i) => i.getAttribute("aria-invalid") !== "false" || !i.value)?.focus(); return; }
    const correcting = form.dataset.submitted === "yes";
    const reason = form.querySelector("input[name=reason]");
    if (correcting && !reason.value.trim()) { state.textContent = msg("reason"); reason.focus(); return; }
    const marks = {};
    inputs.forEach((i) => { marks[i.name] = i.value.trim(); });
    outbox.push({ key: Leitai.newKey(), entrant: form.dataset.entrant, marks, kind: correcting ? "correct" : "submit",
                  reason: correcting ? reason.value.trim() : "", state: "pending", at: Date.now() });
    state.textContent = msg("pending");
    save();
    send();
  });

  window.addEventListener("online", send);
  window.addEventListener("offline", () => { offline.hidden = false; });
  setInterval(() => { if (outbox.some((i) => i.state === "pending")) send(); }, 3000);
  render();
  send();
})();
