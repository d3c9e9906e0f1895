// Console: watch each language of an announcement arrive live. Text is set with textContent only.
(function () {
  "use strict";
  // Live やさしい日本語 check while the operator types (the "Check" button works without JS).
  var easy = document.getElementById("easy-text");
  var findings = document.getElementById("easy-findings");
  if (easy && findings && window.fetch) {
    var timer = null;
    var token = document.querySelector("input[name=csrf_token]").value;
    easy.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch("/easy-check", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ text: easy.value })
        }).then(function (r) { return r.ok ? r.json() : []; }).then(function (list) {
          findings.textContent = "";
          if (!easy.value.trim()) return;
          var ul = document.createElement("ul");
          ul.className = "findings";
          list.forEach(function (f) {
            var li = document.createElement("li");
            li.className = f.severity;
            li.textContent = f.message + (f.suggestion ? " → " + f.suggestion : "");
            ul.appendChild(li);
          });
          if (!list.length) {
            var ok = document.createElement("p");
            ok.className = "flash ok";
            ok.textContent = "✓ やさしい日本語 OK";
            findings.appendChild(ok);
          } else {
            findings.appendChild(ul);
          }
        });
      }, 600);
    });
  }

  var live = document.getElementById("live");
  if (!live || typeof io === "undefined") return;
  var id = Number(live.getAttribute("data-announcement"));
  var revision = Number(live.getAttribute("data-revision"));
  var stateUrl = live.getAttribute("data-state-url");
  var labels = JSON.parse(live.getAttribute("data-labels") || "{}");
  var stateLabel = document.getElementById("socket-state");
  function label(table, key) { return (labels[table] && labels[table][key]) || key || ""; }

  function show(t, arrived) {
    var row = document.getElementById("lang-" + t.lang);
    if (!row) return;
    row.className = "st-" + t.status + (arrived ? " arrived" : "");
    row.querySelector(".status").textContent = label("status", t.status);
    row.querySelector(".method").textContent = t.method
      ? label("method", t.method) + " · " + (t.reviewed ? labels.reviewed : labels.not_reviewed) : "";
    row.querySelector(".text").textContent = t.text || t.reason || "";
  }

  // Subscribe first, then read the state: a language finished between the page's render and
  // the socket's connect is in the state, one finished later arrives as an event. An event
  // received after the read began is newer than the read, so the read never overwrites it.
  var seenSince = {};
  function readState() {
    if (!stateUrl || !window.fetch) return;
    var asked = {};
    seenSince = asked;
    fetch(stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.revision !== revision || data.status === "retracted") { window.location.reload(); return; }
        (data.translations || []).forEach(function (t) { if (!asked[t.lang]) show(t, false); });
        live.setAttribute("data-synced", "1");
      });
  }

  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () {
    stateLabel.textContent = labels.live || "● live";
    readState();
  });
  socket.on("disconnect", function () { stateLabel.textContent = labels.reconnecting || "○ reconnecting…"; });
  socket.on("board_event", function (ev) {
    if (ev.announcement_id !== id) return;
    if (ev.type === "announcement.updated" || ev.type === "announcement.retracted") {
      if (ev.revision !== revision || ev.type === "announcement.retracted") window.location.reload();
      return;
    }
    if (ev.type !== "announcement.translated" || ev.revision !== revision) return;
    seenSince[ev.lang] = true;
    show(ev, true);
  });
})();
