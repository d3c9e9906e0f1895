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
  var stateLabel = document.getElementById("socket-state");
  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () { stateLabel.textContent = "● live"; });
  socket.on("disconnect", function () { stateLabel.textContent = "○ reconnecting…"; });
  socket.on("board_event", function (ev) {
    if (ev.announcement_id !== id) return;
    if (ev.type === "announcement.updated" || ev.type === "announcement.retracted") {
      if (ev.revision !== revision || ev.type === "announcement.retracted") window.location.reload();
      return;
    }
    if (ev.type !== "announcement.translated" || ev.revision !== revision) return;
    var row = document.getElementById("lang-" + ev.lang);
    if (!row) return;
    row.className = "st-" + ev.status + " arrived";
    row.querySelector(".status").textContent = ev.status;
    row.querySelector(".method").textContent = ev.method ? ev.method + (ev.reviewed ? " · reviewed" : " · not reviewed") : "";
    row.querySelector(".text").textContent = ev.text || ev.reason || "";
  });
})();
