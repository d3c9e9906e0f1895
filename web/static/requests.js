// Request queue: re-read the queue when a request changes (Socket.IO) and each minute, so new
// and overdue pieces appear without a reload. The server renders the rows (text escaped there).
(function () {
  "use strict";
  var box = document.getElementById("queue");
  if (!box || !window.fetch || !window.DOMParser) return;
  var stateLabel = document.getElementById("socket-state");
  function refresh() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("queue");
        if (fresh) box.replaceChildren.apply(box, Array.prototype.slice.call(fresh.childNodes));
      });
  }
  setInterval(refresh, 60000);
  if (typeof io === "undefined") return;
  var socket = io("/live", { transports: ["websocket", "polling"] });
  socket.on("connect", function () { stateLabel.textContent = "● live"; });
  socket.on("disconnect", function () { stateLabel.textContent = "○ reconnecting…"; });
  socket.on("request", refresh);
})();
