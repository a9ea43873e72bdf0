/* Leitai pages: calls to the HTTP API with the signed-in account's token, the
   confirmation dialog, and the console's command forms.  No framework, nothing loaded
   from elsewhere. */
"use strict";
const Leitai = (() => {
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const lang = () => meta("leitai-lang") || "zh";
  const zh = () => lang() === "zh";

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }

  async function api(method, url, body, idempotencyKey, isForm) {
    const headers = { "Accept": "application/json", "Accept-Language": lang() };
    const token = meta("leitai-token");
    if (token) headers["Authorization"] = "Bearer " + token;
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
    const fields = Object.keys(errors).map((k) => k + (zh() ? "：" : ": ") + errors[k]);
    if (fields.length && !text.includes(fields[0])) text += " — " + fields.join(zh() ? "；" : "; ");
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
      dialog.showModal();
      document.getElementById("confirm-ok").focus();
    });
  }

  function formBody(form) {
    const body = {};
    for (const el of form.elements) {
      if (!el.name || el.name.startsWith("_") || el.disabled || el.type === "submit") continue;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) continue;
      if (el.value === "" && !el.required) continue;
      body[el.name] = el.type === "number" ? Number(el.value) : el.value;
    }
    return body;
  }

  async function runCommand(form) {
    if (!form.reportValidity()) return;
    if (!(await confirmDialog(form.dataset.confirm || ""))) return;
    let url = form.dataset.url;
    if (form.classList.contains("js-round-url")) {
      url = "/api/rounds/" + encodeURIComponent(form.elements["_round"].value.trim()) + "/" + form.dataset.path;
    }
    let body, isForm = false;
    if (form.classList.contains("upload")) {
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
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const result = await api("POST", url, body, form.dataset.key, isForm);
      if (result.ok) {
        delete form.dataset.key;
        const done = zh() ? "操作成功" : "Done";
        if (out) out.textContent = done;
        toast(done);
        form.dispatchEvent(new CustomEvent("leitai:done", { detail: result.data, bubbles: true }));
        if (!form.hasAttribute("data-stay")) setTimeout(() => location.reload(), 700);
      } else {
        if (result.status < 500) delete form.dataset.key;  // refused: a changed form is a new request
        const text = describe(result);
        if (out) out.textContent = text;
        toast(text, true);
      }
    } catch (e) {
      const text = zh() ? "无法连接服务器，请检查网络后重试（不会重复登记）。" : "The server cannot be reached; retry when the network is back (nothing is recorded twice).";
      if (out) out.textContent = text;
      toast(text, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form.command");
    if (!form) return;
    event.preventDefault();
    runCommand(form);
  });

  return { api, describe, toast, confirmDialog, newKey, lang, zh };
})();
