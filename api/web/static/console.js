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

  // An attachment (rulebook 15.2) is recorded by its SHA-256 digest alone: the file chosen is
  // hashed here, in the browser, and never sent.  WebCrypto where the page is a secure context,
  // else the same computation in script (a county's server on plain http on its own network).
  function sha256Script(bytes) {
    const K = new Uint32Array([0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
      0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138,
      0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70,
      0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
      0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa,
      0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
    const H = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
      0x5be0cd19]);
    const length = bytes.length;
    const padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    const view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded.length - 4, (length << 3) >>> 0);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < padded.length; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + 4 * i);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, h] = H;
      for (let i = 0; i < 64; i++) {
        const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        h = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    return Array.from(H, (x) => x.toString(16).padStart(8, "0")).join("");
  }

  async function sha256(buffer) {
    if (window.isSecureContext && window.crypto && crypto.subtle) {
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
      return Array.from(digest, (x) => x.toString(16).padStart(2, "0")).join("");
    }
    return sha256Script(new Uint8Array(buffer));
  }

  document.addEventListener("change", async (event) => {
    const input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-digest-for]")) return;
    const target = input.form && input.form.elements[input.dataset.digestFor];
    const file = input.files && input.files[0];
    if (!target || !file) return;
    target.value = "";
    target.placeholder = Leitai.zh() ? "正在计算摘要…" : "computing the digest…";
    target.value = "sha256:" + await sha256(await file.arrayBuffer());
  });
})();
