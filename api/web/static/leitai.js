/* Leitai pages: calls to the HTTP API with the signed-in account's token, the
   confirmation dialog, and the console's command forms.  No framework, nothing loaded
   from elsewhere. */
"use strict";
const Leitai = (() => {
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const lang = () => meta("leitai-lang") || "zh";
  const zh = () => lang() === "zh";
  const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

  // the page carries the session token under a one-time pad (pages.masked): take it off
  function token() {
    const parts = meta("leitai-token").split(".");
    if (parts.length !== 2) return "";
    const [pad, sealed] = parts.map(bytes);
    return new TextDecoder().decode(sealed.map((b, i) => b ^ pad[i]));
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  async function api(method, url, body, idempotencyKey, isForm) {
    const headers = { "Accept": "application/json", "Accept-Language": lang() };
    const bearer = token();
    if (bearer) headers["Authorization"] = "Bearer " + bearer;
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let payload = body;
    if (body !== undefined && !isForm) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const target = url + (url.includes("?") ? "&" : "?") + "lang=" + lang();
    const response = await fetch(target, { method, headers, body: payload, credentials: "same-origin" });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { status: response.status, ok: response.ok, data };
  }

  function describe(result) {
    const data = result.data || {};
    let text = data.message || (zh() ? "请求失败（" + result.status + "）" : "Request failed (" + result.status + ")");
    const errors = data.errors || {};
    const fields = Object.keys(errors).filter((k) => !text.includes(errors[k]))  // each said once
      .map((k) => k + (zh() ? "：" : ": ") + errors[k]);
    if (fields.length) text += " — " + fields.join(zh() ? "；" : "; ");
    return text;
  }

  function toast(text, bad) {
    const box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.className = bad ? "show bad" : "show";
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.className = ""; }, bad ? 9000 : 3000);
  }

  function confirmDialog(text) {
    const dialog = document.getElementById("confirm");
    if (!dialog || !dialog.showModal) return Promise.resolve(window.confirm(text));
    document.getElementById("confirm-text").textContent = text;
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.returnValue = "cancel";
      dialog.showModal();  // Escape cancels; on closing, the focus goes back where it was
      document.getElementById("confirm-ok").focus();
    });
  }

  // Tab and Shift+Tab go round the open dialog's buttons instead of leaving the page
  document.addEventListener("keydown", (event) => {
    const dialog = document.getElementById("confirm");
    if (event.key !== "Tab" || !dialog || !dialog.open) return;
    const buttons = [...dialog.querySelectorAll("button:not([disabled])")];
    const at = buttons.indexOf(document.activeElement);
    const next = at < 0 ? 0 : (at + (event.shiftKey ? buttons.length - 1 : 1)) % buttons.length;
    event.preventDefault();
    buttons[next].focus();
  });

  // where the keyboard was before a command reloaded the page: focus goes back there
  const REFOCUS = "leitai-refocus";
  const PLACES = ["data-round", "data-appeal", "data-organization", "id"];

  function place(form) {
    for (const name of PLACES) {
      const holder = form.closest(`[${name}]`);
      if (holder && holder.getAttribute(name)) return `[${name}="${CSS.escape(holder.getAttribute(name))}"]`;
    }
    return null;
  }

  function refocus() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(REFOCUS) || "null");
      sessionStorage.removeItem(REFOCUS);
    } catch (e) { saved = null; }
    if (!saved || saved.path !== location.pathname) return;
    const holder = document.querySelector(saved.place);
    if (!holder) return;
    const first = (selector) => holder.querySelector(selector);
    const target = first("form.command button:not([disabled])") || first("a[href], button:not([disabled])") || holder;
    if (target === holder && !holder.hasAttribute("tabindex")) holder.setAttribute("tabindex", "-1");
    target.focus();
    if (saved.said) toast(saved.said);
  }

  // the files of a scenario chosen one by one or as a folder, named as in the folder:
  // rule sets go under rules/, only what an import reads is sent
  const SCENARIO = /\.(toml|csv|xlsx)$/i;

  function scenarioFiles(form) {
    const chosen = new Map();
    for (const input of form.querySelectorAll("input[type=file]")) {
      for (const file of input.files) {
        let name;
        if (file.webkitRelativePath) {
          const parts = file.webkitRelativePath.split("/").slice(1);  // without the chosen folder's own name
          const wanted = parts.length === 1 || (parts.length === 2 && parts[0] === "rules" && /\.toml$/i.test(parts[1]));
          if (!wanted || !SCENARIO.test(file.name)) continue;
          name = parts.join("/");
        } else {
          name = /\.toml$/i.test(file.name) && file.name.toLowerCase() !== "contest.toml" ? "rules/" + file.name : file.name;
        }
        chosen.set(name, file);
      }
    }
    return chosen;
  }

  function formBody(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.name.startsWith("_") || el.disabled || el.type === "submit") continue;
      if (el.type === "checkbox" && "list" in el.dataset) {  // one of a list (a ballot's choices): [] when none
        body[el.name] = body[el.name] || [];
        if (el.checked) body[el.name].push(el.value);
        continue;
      }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      if (el.value === "" && !el.required) continue;
      body[el.name] = el.type === "number" ? Number(el.value) : el.value;
    }
    return body;
  }

  async function runCommand(form, submitter) {
    const several = form.classList.contains("upload") && form.dataset.field === "files";
    if (several) {
      const first = form.querySelector("input[type=file]");
      first.setCustomValidity(scenarioFiles(form).size ? "" : (form.dataset.msgNone || "?"));
    }
    if (!form.reportValidity()) return;
    if (!(await confirmDialog(form.dataset.confirm || ""))) return;
    let url = form.dataset.url;
    if (form.classList.contains("js-round-url")) {
      url = "/api/rounds/" + encodeURIComponent(form.elements["_round"].value.trim()) + "/" + form.dataset.path;
    }
    // a part of the address typed in the form ({_ballot}: the element named _ballot)
    url = url.replace(/\{(_\w+)\}/g, (all, name) => encodeURIComponent(form.elements[name].value.trim()));
    let body, isForm = false;
    if (several) {
      body = new FormData();
      for (const [name, file] of scenarioFiles(form)) body.append("files", file, name);
      isForm = true;
    } else if (form.classList.contains("upload")) {
      body = new FormData();
      body.append(form.dataset.field, form.querySelector("input[type=file]").files[0]);
      isForm = true;
    } else {
      body = formBody(form);
    }
    // one key per attempt at this command: a retry after a lost answer records nothing twice
    form.dataset.key = form.dataset.key || newKey();
    const out = form.querySelector(".result");
    const buttons = form.querySelectorAll("button");
    const focused = document.activeElement;
    const back = form.contains(focused) ? focused : (submitter || form.querySelector("button[type=submit]"));
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const result = await api("POST", url, body, form.dataset.key, isForm);
      if (result.ok) {
        delete form.dataset.key;
        const done = zh() ? "操作成功" : "Done";
        if (out) { out.textContent = done; out.classList.remove("error-text"); }
        toast(done);
        form.dispatchEvent(new CustomEvent("leitai:done", { detail: result.data, bubbles: true }));
        if (!form.hasAttribute("data-stay")) {
          const at = place(form);
          try {
            if (at) sessionStorage.setItem(REFOCUS, JSON.stringify({ path: location.pathname, place: at, said: done }));
          } catch (e) { /* private mode: the page just reloads */ }
          setTimeout(() => location.reload(), 700);
        }
      } else {
        if (result.status < 500) delete form.dataset.key;  // refused: a changed form is a new request
        const text = describe(result);
        if (out) { out.textContent = text; out.classList.add("error-text"); }
        toast(text, true);
      }
    } catch (e) {
      const text = zh() ? "无法连接服务器，请检查网络后重试（不会重复登记）。" : "The server cannot be reached; retry when the network is back (nothing is recorded twice).";
      if (out) { out.textContent = text; out.classList.add("error-text"); }
      toast(text, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      // a disabled button loses the focus: give it back, so the keyboard goes on from here
      const lost = !document.activeElement || document.activeElement === document.body;
      if (lost && back && back.isConnected) back.focus();
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.command");
    if (!form) return;
    event.preventDefault();
    runCommand(form, event.submitter);
  });

  // a table, a listing or a box that scrolls sideways (on a phone) can be reached and scrolled
  // with the keyboard: it takes the focus, and says what it holds
  function scrollersReachable() {
    for (const box of document.querySelectorAll("main table, main pre, main .scroll, main .board-wrap")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1 && getComputedStyle(box).overflowX !== "visible";
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollable = "yes";
        if (!box.hasAttribute("role") && box.tagName !== "TABLE") box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", zh() ? "可左右滚动" : "scrolls sideways");
        }
      } else if (!scrolls && box.dataset.scrollable === "yes") {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollable;
      }
    }
  }
  window.addEventListener("resize", scrollersReachable);

  // The judge's pages kept for working without a network (judge-sw.js) belong to the account
  // that opened them: any page the server sends for another account, or for nobody signed in
  // (a session over, someone else's turn on this phone), deletes them; so does signing out,
  // on any page.  The next person on this phone finds none of them.
  // The worker is told too, so that a page it is still fetching for the one before is not kept.
  function tellJudgeWorker(message) {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.getRegistration("/judge")
      .then((registration) => { if (registration && registration.active) registration.active.postMessage(message); })
      .catch(() => { /* no worker: nothing kept */ });
  }
  const offlineCopy = document.querySelector('meta[name="leitai-offline-copy"]');
  if (window.caches && !offlineCopy) {
    const account = meta("leitai-account");
    const mine = account ? "leitai-judge:" + encodeURIComponent(account) : null;
    tellJudgeWorker({ keepOnly: account });
    caches.keys().then((names) => Promise.all(names
      .filter((n) => n.startsWith("leitai-judge:") && n !== mine).map((n) => caches.delete(n))))
      .catch(() => { /* no storage (a private window): nothing was kept either */ });
  }
  const signOut = document.querySelector('header form[action$="/logout"]');
  if (signOut && window.caches) {
    signOut.addEventListener("submit", (event) => {
      event.preventDefault();
      tellJudgeWorker({ forget: true });
      const gone = caches.keys().then((names) =>
        Promise.all(names.filter((n) => n.startsWith("leitai-judge:")).map((n) => caches.delete(n))));
      Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 1500))])
        .finally(() => signOut.submit());
    }, { once: true });
  }

  refocus();  // this script runs at the end of the page: everything is there
  scrollersReachable();

  return { api, describe, toast, confirmDialog, newKey, lang, zh };
})();
