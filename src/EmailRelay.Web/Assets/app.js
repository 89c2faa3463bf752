// The console's pages: everything shown comes from /api/v1 and goes into the page with textContent only.
"use strict";
(function () {
  const page = document.body.dataset.page;
  let session = null;

  function $(id) { return document.getElementById(id); }
  function text(id, value) { const e = $(id); if (e) { e.textContent = value === null || value === undefined ? "" : String(value); } }
  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") { e.className = v; } else if (k === "href") { e.setAttribute("href", v); } else if (k.startsWith("on")) { e.addEventListener(k.substring(2), v); } else { e.setAttribute(k, v); }
    }
    for (const c of children) { e.append(c instanceof Node ? c : document.createTextNode(String(c))); }
    return e;
  }
  function age(seconds) {
    if (seconds === null || seconds === undefined) { return "-"; }
    seconds = Math.round(seconds);
    if (seconds < 120) { return seconds + " s"; }
    if (seconds < 7200) { return Math.round(seconds / 60) + " min"; }
    if (seconds < 172800) { return Math.round(seconds / 3600) + " h"; }
    return Math.round(seconds / 86400) + " d";
  }
  function size(bytes) { return bytes < 0 ? "?" : bytes < 10240 ? bytes + " B" : Math.round(bytes / 1024) + " KiB"; }
  function when(iso) { return iso ? new Date(iso).toLocaleString() : "-"; }
  function notice(message, isError) {
    const n = $("notice");
    if (!n) { return; }
    n.hidden = false;
    n.className = isError ? "error" : "ok";
    n.textContent = message;
  }

  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (method !== "GET") { headers["X-CSRF-Token"] = session ? session.csrf : ""; }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
    if (response.status === 401 && page !== "login") { location.href = "/login"; throw new Error("sign-in required"); }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok) { throw new Error((data && data.error) || ("HTTP " + response.status)); }
    return data;
  }

  async function act(label, method, path, after) {
    try {
      const reply = await api(method, path);
      notice(label + ": " + reply.result + (reply.count !== null && reply.count !== undefined ? " (" + reply.count + ")" : ""), false);
      if (after) { after(); }
    } catch (e) {
      notice(label + ": " + e.message, true);
    }
  }

  function live(onStats, onMessage) {
    const source = new EventSource("/api/v1/events");
    source.addEventListener("open", () => text("live", "live"));
    source.addEventListener("error", () => text("live", "reconnecting"));
    source.addEventListener("stats", e => onStats && onStats(JSON.parse(e.data)));
    source.addEventListener("message", e => onMessage && onMessage(JSON.parse(e.data)));
    source.addEventListener("resync", () => onMessage && onMessage({ id: "", state: "" }));
    return source;
  }

  async function start() {
    if (page === "login") { return login(); }
    session = await api("GET", "/api/v1/session");
    text("account", session.account);
    text("role", session.role);
    document.body.classList.toggle("is-admin", session.role === "admin");
    $("logout").addEventListener("click", async () => { try { await api("POST", "/api/v1/logout"); } finally { location.href = "/login"; } });
    if (page === "overview") { overview(); }
    if (page === "queue") { queue(); }
    if (page === "message") { message(); }
  }

  function login() {
    $("login-form").addEventListener("submit", async e => {
      e.preventDefault();
      text("login-error", "");
      try {
        await api("POST", "/api/v1/login", { user: $("user").value, password: $("password").value });
        location.href = "/";
      } catch (err) {
        text("login-error", err.message);
      }
    });
  }

  function showStats(s) {
    text("queued", s.queued); text("in-flight", s.inFlight); text("deferred", s.deferred); text("failed", s.failed);
    text("oldest", s.oldestAgeSeconds === null ? "none" : age(s.oldestAgeSeconds));
    [1, 5, 15].forEach((m, i) => { text("received-" + m, s.receivedRecent[i]); text("forwarded-" + m, s.forwardedRecent[i]); text("failedrecent-" + m, s.failedRecent[i]); });
    text("smtp-sessions", s.smtpSessions); text("pop-sessions", s.popSessions);
    text("forwarding", s.forwarding + (s.lastRunError ? " (last run: " + s.lastRunError + ")" : ""));
    text("next-poll", s.nextPoll ? when(s.nextPoll) : "no --poll");
    const u = s.lastUpstream;
    text("upstream", u ? when(u.time) + " " + u.address + ": " + (u.ok === null ? "in progress" : u.ok ? "connected" : "failed " + u.error) : "none yet");
    if (s.indexing) { text("live", "indexing the spool"); }
  }

  function overview() {
    $("retry-failed").addEventListener("click", () => act("Retry all failed", "POST", "/api/v1/actions/retry-failed"));
    $("forward-now").addEventListener("click", () => act("Forward now", "POST", "/api/v1/actions/forward"));
    let pending = null;
    const latest = () => {
      pending = null;
      api("GET", "/api/v1/messages?page_size=10").then(list => {
        $("latest").replaceChildren(...list.items.map(m => el("li", {}, el("a", { href: "/message?id=" + encodeURIComponent(m.id) }, m.id), " ", el("span", { class: "badge state-" + m.state }, m.state), " ", m.from, " \u2192 ", m.to.join(", "))));
      }).catch(() => {});
    };
    latest();
    live(showStats, () => { if (!pending) { pending = setTimeout(latest, 300); } });
  }

  function queue() {
    const params = new URLSearchParams(location.search);
    let current = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
    let pages = 1;
    $("f-state").value = params.get("state") || "";
    $("f-sender").value = params.get("sender") || "";
    $("f-recipient").value = params.get("recipient") || "";
    $("f-min-age").value = params.get("min_age") || "";
    $("f-max-age").value = params.get("max_age") || "";
    function query() {
      const q = new URLSearchParams();
      const add = (k, v) => { if (v) { q.set(k, v); } };
      add("state", $("f-state").value); add("sender", $("f-sender").value); add("recipient", $("f-recipient").value);
      add("min_age", $("f-min-age").value); add("max_age", $("f-max-age").value);
      q.set("page", String(current)); q.set("page_size", "50");
      return q;
    }
    async function load() {
      try {
        const q = query();
        history.replaceState(null, "", "/queue?" + q.toString());
        const list = await api("GET", "/api/v1/messages?" + q.toString());
        pages = Math.max(1, Math.ceil(list.total / list.pageSize));
        text("total", list.total); text("page", list.page); text("pages", pages);
        $("rows").replaceChildren(...list.items.map(row));
      } catch (e) {
        notice(e.message, true);
      }
    }
    function row(m) {
      const actions = el("td", { class: "admin-only" });
      if (m.state === "failed") { actions.append(el("button", { type: "button", class: "retry", onclick: () => act("Retry " + m.id, "POST", "/api/v1/messages/" + encodeURIComponent(m.id) + "/retry", load) }, "Retry")); }
      actions.append(el("button", { type: "button", class: "delete", onclick: () => { if (confirm("Delete " + m.id + "?")) { act("Delete " + m.id, "DELETE", "/api/v1/messages/" + encodeURIComponent(m.id), load); } } }, "Delete"));
      return el("tr", { "data-id": m.id },
        el("td", {}, el("a", { href: "/message?id=" + encodeURIComponent(m.id) }, m.id)),
        el("td", {}, el("span", { class: "badge state-" + m.state }, m.state)),
        el("td", { class: "addr" }, m.from),
        el("td", { class: "addr" }, m.to.join(", ")),
        el("td", {}, size(m.size)),
        el("td", {}, age(m.ageSeconds)),
        el("td", { class: "reason" }, m.reason),
        actions);
    }
    $("filters").addEventListener("submit", e => { e.preventDefault(); current = 1; load(); });
    $("prev").addEventListener("click", () => { if (current > 1) { current--; load(); } });
    $("next").addEventListener("click", () => { if (current < pages) { current++; load(); } });
    load();
    let pending = null;
    live(null, () => { if (!pending) { pending = setTimeout(() => { pending = null; load(); }, 300); } });
  }

  async function message() {
    const id = new URLSearchParams(location.search).get("id") || "";
    text("message-id", id);
    const path = "/api/v1/messages/" + encodeURIComponent(id);
    $("retry").addEventListener("click", () => act("Retry", "POST", path + "/retry", () => message()));
    $("delete").addEventListener("click", () => { if (confirm("Delete " + id + "?")) { act("Delete", "DELETE", path, () => { location.href = "/queue"; }); } });
    let m;
    try {
      m = await api("GET", path);
    } catch (e) {
      notice(e.message, true);
      return;
    }
    const fields = [["State", m.state], ["From", m.from], ["To (remote)", m.toRemote.join(", ")], ["To (local)", m.toLocal.join(", ")],
      ["Size", size(m.size)], ["Received", when(m.received)], ["Last attempt", when(m.lastAttempt)], ["Body type", m.bodyType],
      ["Client address", m.clientAddress], ["Authentication", m.authentication], ["Client certificate", m.clientCertificate],
      ["MAIL FROM AUTH in", m.mailFromAuthIn], ["MAIL FROM AUTH out", m.mailFromAuthOut], ["Forward to", m.forwardTo],
      ["Forward to address", m.forwardToAddress], ["Client account selector", m.clientAccountSelector], ["UTF-8 mailbox names", m.utf8MailboxNames ? "yes" : "no"]];
    $("envelope").replaceChildren(...fields.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v === "" ? "-" : v)]));
    const r = m.retry;
    text("retry-schedule", r.failures + " failure(s) of at most " + r.limit + "; first retry after " + age(r.baseSeconds) + ", doubling up to an hour" + (r.nextAttempt ? "; next attempt after " + when(r.nextAttempt) : ""));
    $("reasons").replaceChildren(...m.reasons.map(x => el("li", {}, x.reason + (x.code ? " (code " + x.code + ")" : ""))));
    $("headers").replaceChildren(...m.headers.map(h => el("tr", {}, el("th", {}, h.name), el("td", {}, h.value))));
    text("body", m.body === null ? "(the body is shown to the admin role only)" : m.body + (m.bodyTruncated ? "\n[... only the first 64 KiB shown]" : ""));
  }

  document.addEventListener("DOMContentLoaded", () => { start().catch(e => notice(e.message, true)); });
})();
