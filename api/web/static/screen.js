/* The big screen: the board follows the round's Server-Sent Events; when the connection
   blinks it says so, shows since when its numbers are, and resumes with Last-Event-ID. */
"use strict";
(() => {
  const live = document.getElementById("live");
  if (!live) return;
  const board = document.getElementById("board");
  const stale = document.getElementById("stale");
  const staleTime = document.getElementById("stale-time");
  const updated = document.getElementById("updated");
  const dot = document.getElementById("live-dot");
  let shown = Number(live.dataset.position);
  let updatedAt = new Date();
  let heard = Date.now();
  let source = null;
  const SILENCE = 40000;  // the server pings every 15 s: this long without a word is a dead line

  // the time in the page's language, not the browser's: 24-hour on a Chinese page
  const language = document.documentElement.lang || "zh-CN";
  const clock = language.startsWith("zh")
    ? { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }
    : { hour: "numeric", minute: "2-digit", second: "2-digit" };
  const timeOf = (moment) => moment.toLocaleTimeString(language, clock);
  const stamp = () => { updated.textContent = timeOf(updatedAt); };
  stamp();

  function lost() {
    stale.hidden = false;
    staleTime.textContent = timeOf(updatedAt);
    dot.classList.add("down");
    document.body.classList.add("is-stale");
  }
  function alive() {
    heard = Date.now();
    stale.hidden = true;
    dot.classList.remove("down");
    document.body.classList.remove("is-stale");
  }

  async function refresh(position) {
    try {
      const response = await fetch(live.dataset.table + location.search, { credentials: "same-origin" });
      if (!response.ok) { lost(); return; }
      board.innerHTML = await response.text();
      shown = position;
      updatedAt = new Date();
      stamp();
      live.dataset.position = String(position);
    } catch (e) { lost(); }
  }

  function connect() {
    const url = live.dataset.events + (shown ? "?last_event_id=" + shown : "");
    source = new EventSource(url);
    source.onopen = alive;
    source.addEventListener("ping", alive);
    // the server ends the stream when this screen may no longer see the round (its live board
    // switched off): reload, and the page says why, rather than keep showing a board as live
    source.addEventListener("end", () => { source.close(); location.reload(); });
    source.addEventListener("board", (event) => {
      alive();
      const position = Number(event.lastEventId);
      if (position !== shown) refresh(position);
    });
    source.onerror = () => {
      lost();
      const closed = source.readyState === EventSource.CLOSED;
      // through the fan-out engine (nchan) a board switched off ends its stream without an "end"
      // event: ask for the board itself, and if it is now refused, reload - the page says why
      fetch(live.dataset.events.replace(/\/events$/, "/board"), { credentials: "same-origin" })
        .then((r) => {
          if (r.status === 401 || r.status === 403) location.reload();
          else if (closed) setTimeout(reconnect, 2000);
        })
        .catch(() => { if (closed) setTimeout(reconnect, 2000); });
    };
  }
  function reconnect() {
    if (source) source.close();
    connect();
  }
  connect();
  setInterval(() => { if (Date.now() - heard > SILENCE) { lost(); reconnect(); heard = Date.now(); } }, 5000);
})();
