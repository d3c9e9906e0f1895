// Console: watch each language of an announcement arrive live. Text is set with textContent only.
(function () {
  "use strict";
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
