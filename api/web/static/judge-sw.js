/* The judge's pages without a network (offline start).  Served as /judge/sw.js with the
   scope /judge (the route sends Service-Worker-Allowed: /judge, so the rounds list /judge is
   covered as well as /judge/<round>).

   What it answers: page loads (navigations) of exactly two kinds of address, the rounds list
   /judge and a round's page /judge/<round>.  Everything else - the API and its answers, every
   other page, /judges/<round> which the scope's prefix also reaches - it leaves to the browser
   untouched, so no other page and no answer of the API is ever kept.

   How: network first.  While the server answers, the judge gets the server's page as always
   and a copy of it is kept; without a network (or when the server has not answered within
   PATIENCE ms, or answers with a 5xx) the copy is shown.  The page carries its stylesheet and
   scripts inside it (pages.py), so the copy is all it needs to be shown and filled; the
   sheets typed into it wait in the browser's storage (judge.js) and go out, each with its own
   Idempotency-Key, when the network is back.

   What is kept, and for whom (a phone may pass from one judge to another):
   - A copy never holds the session token.  The page carries the token (masked) in a meta
     element; the copy has it replaced by the time the copy was saved (leitai-offline-copy).
     A page opened from a copy asks the server for a fresh token when the network is back, with
     the browser's HttpOnly cookie (judge.js), and sends nothing unless that page is for the
     same account and judge: a copy lets nobody act as anybody.
   - The copies belong to one account.  The page names its reader (meta leitai-judge-account);
     its copy goes into the cache "leitai-judge:<account>", and when a page of another account
     comes from the server every other account's cache is deleted first; when the server
     answers with a redirect (to the sign-in page: nobody signed in, or the session over) or
     refuses the page (403: whoever is signed in does not judge there), all of them are
     deleted; signing out, on any page, deletes them too (leitai.js).  Only when
     exactly one account's cache exists is a copy shown.  So a second judge on the same phone
     never sees the first one's page once they have opened a judge's page with a network.
   - A copy is shown for 12 hours at most (TOKEN_HOURS in api/rest/security.py): the session
     it was saved in is over by then, so is the reason to keep it.
   Service workers need a secure origin (HTTPS, or localhost): served over plain HTTP on a
   local network the page works exactly as before, online only. */
"use strict";

const PREFIX = "leitai-judge:";               // + the account the copies are for
const PAGES = /^\/judge(\/[^/]+)?$/;          // the rounds list and a round's page, nothing else
const OWN_SCRIPT = /^\/judge\/sw\.js$/;       // ...but not this file
const ACCOUNT = /<meta name="leitai-judge-account" content="([^"]+)">/;
const TOKEN = /<meta name="leitai-token" content="[^"]*">/g;
const PATIENCE = 4000;                        // ms a slow network is waited for before the copy is shown
const LIFETIME = 12 * 3600 * 1000;            // ms a copy is shown for (the session's longest life)
const FRESH = 10 * 60 * 1000;                 // a round's page saved this recently is not fetched again for the list

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function isPage(path) { return PAGES.test(path) && !OWN_SCRIPT.test(path); }

async function ours() {  // the caches of copies, by name
  return (await caches.keys()).filter((name) => name.startsWith(PREFIX));
}

// Every time copies are forgotten the epoch moves on: a page fetched before (a sign-out, another
// account) is never kept after it, however late its answer arrives.
let epoch = 0;

async function forget() {  // nobody's copies any more
  epoch += 1;
  await Promise.all((await ours()).map((name) => caches.delete(name)));
}

// The copies of this account (none: nobody's) and no others.  The epoch moves on only when
// another account's copies are dropped or nobody is signed in: a page of this account on its
// way is kept.
async function keepOnly(account) {
  const mine = account ? PREFIX + encodeURIComponent(account) : null;
  const others = (await ours()).filter((name) => name !== mine);
  if (others.length || !account) epoch += 1;
  await Promise.all(others.map((name) => caches.delete(name)));
}

async function current() {  // the one account whose copies may be shown, or null
  const names = await ours();
  return names.length === 1 ? caches.open(names[0]) : null;
}

async function copyOf(path) {
  const cache = await current();
  if (!cache) return null;
  const copy = await cache.match(path, { ignoreSearch: true, ignoreVary: true });
  if (!copy) return null;
  const saved = Date.parse(copy.headers.get("X-Leitai-Saved-At") || "");
  if (!(Date.now() - saved < LIFETIME)) {
    await cache.delete(path, { ignoreSearch: true, ignoreVary: true });
    return null;
  }
  return copy;
}

// Keep a copy of a page the server has just sent (without its token), for its account only.
async function keep(path, response, started) {
  const type = response.headers.get("Content-Type") || "";
  if (response.status !== 200 || response.type !== "basic" || !type.startsWith("text/html")) return;
  const html = await response.text();
  if (epoch !== started) return;  // signed out (or another account came) while it was on its way
  const found = ACCOUNT.exec(html);
  if (!found) return;  // not a judge's page
  const account = found[1];
  const saved = new Date().toISOString();
  const copy = html.replace(TOKEN, `<meta name="leitai-offline-copy" content="${saved}">`);
  if (/<meta[^>]+leitai-token/.test(copy)) return;  // a token not where expected: never kept
  const name = PREFIX + encodeURIComponent(account);
  await Promise.all((await ours()).filter((other) => other !== name).map((other) => caches.delete(other)));
  const headers = new Headers(response.headers);
  for (const header of ["Content-Encoding", "Content-Length", "Vary", "ETag"]) headers.delete(header);
  headers.set("X-Leitai-Saved-At", saved);
  const cache = await caches.open(name);
  if (epoch !== started) return;
  await cache.put(new Request(new URL(path, self.location.origin).href),
                  new Response(copy, { status: 200, statusText: "OK", headers }));
  if (path === "/judge") await keepRounds(html, cache, started);
}

// The list names the rounds open for scoring (data-offline-page): their pages are kept too, so
// a judge who opened the list with a network can open any of them without one.
async function keepRounds(html, cache, started) {
  const links = [...html.matchAll(/<a href="(\/judge\/[^"?#]+)" data-offline-page>/g)].map((m) => m[1]);
  for (const path of new Set(links)) {
    if (!isPage(path)) continue;
    const copy = await cache.match(path, { ignoreSearch: true, ignoreVary: true });
    const saved = copy ? Date.parse(copy.headers.get("X-Leitai-Saved-At") || "") : 0;
    if (Date.now() - saved < FRESH || epoch !== started) continue;
    await fetchAndKeep(path);
  }
}

async function fetchAndKeep(path) {
  const started = epoch;
  try {
    const response = await fetch(path, { credentials: "same-origin", redirect: "manual",
                                         headers: { Accept: "text/html" }, cache: "no-store" });
    await answered(path, response, started);
  } catch (e) { /* no network: the copy there is stays */ }
}

async function answered(path, response, started) {
  // the sign-in page instead (nobody signed in, the session over), or a refusal (whoever is
  // signed in now does not judge there): the copies are not theirs to see
  if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) await forget();
  else await keep(path, response, started);
}

function offlinePage() {
  const html = '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>未联网 · Offline</title></head>' +
    "<body><h1>未联网</h1><p>本机没有保存这个页面：有网络时打开一次，以后没有网络也能打开。</p>" +
    '<p lang="en">Offline: this page is not saved on this device. Open it once with a network, ' +
    "and it opens without one afterwards.</p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8",
                                                      "Content-Security-Policy": "default-src 'none'",
                                                      "Cache-Control": "no-store" } });
}

function page(event, path) {
  const started = epoch;
  const fromServer = fetch(event.request);
  // registered first: it clones the answer before the browser reads it
  event.waitUntil(fromServer.then((response) => answered(path, response.clone(), started)).catch(() => {}));
  return (async () => {
    const copy = await copyOf(path).catch(() => null);
    if (!copy) return fromServer.catch(() => offlinePage());
    return new Promise((resolve) => {
      let done = false;
      const settle = (response) => { if (!done) { done = true; clearTimeout(timer); resolve(response); } };
      const timer = setTimeout(() => settle(copy), PATIENCE);
      fromServer.then((response) => settle(response.status >= 500 ? copy : response), () => settle(copy));
    });
  })();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.mode !== "navigate") return;  // the API, scripts...: the browser's
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !isPage(url.pathname)) return;
  event.respondWith(page(event, url.pathname));
});

// From a judge's page: {save: its path} when the page was not loaded through this worker (the
// first visit) or after a sheet went out (so the copy shows it); {forget: true} on signing out;
// from any page (leitai.js): {keepOnly: the account reading it, or "" for nobody}.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.forget) event.waitUntil(forget());
  else if (typeof data.keepOnly === "string") event.waitUntil(keepOnly(data.keepOnly));
  else if (typeof data.save === "string" && isPage(data.save)) event.waitUntil(fetchAndKeep(data.save));
});
