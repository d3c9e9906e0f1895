// The drill run page: refresh the clock and the inject table every few seconds. When an inject
// is released or the run changes state, the buttons a row offers change too: the server draws
// them, so the page re-reads itself and swaps the table and the controls in place (never a
// reload, which would pull the page from under a director about to press a button).
(function () {
  "use strict";
  var run = document.getElementById("drill-run");
  if (!run) return;
  var url = run.getAttribute("data-state-url");
  var statusEl = document.getElementById("drill-status");
  var labels = JSON.parse(statusEl.getAttribute("data-labels") || "{}");
  // What the page was drawn with, so a release between the draw and the first poll counts.
  var known = {};
  document.querySelectorAll("#drill-injects tr[data-key]").forEach(function (row) {
    known[row.getAttribute("data-key")] = row.getAttribute("data-status");
  });
  var knownStatus = statusEl.getAttribute("data-status");
  var swapping = false;

  function swap() {
    if (swapping || !window.DOMParser) return;
    swapping = true;
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["#drill-run > .row", "#drill-injects > tbody"].forEach(function (sel) {
          var mine = document.querySelector(sel);
          var theirs = fresh.querySelector(sel);
          if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
          else if (mine && !theirs) mine.remove();
        });
      })
      .catch(function () { /* the next change tries again */ })
      .then(function () { swapping = false; });
  }

  function clock(minutes) {
    var m = Math.floor(minutes);
    return Math.floor(m / 60) + ":" + ("0" + (m % 60)).slice(-2);
  }

  function setCell(row, name, text) {
    var cell = row.querySelector('[data-cell="' + name + '"]');
    if (cell && cell.textContent !== text) cell.textContent = text;
  }

  function apply(state) {
    statusEl.textContent = labels[state.status] || state.status;
    document.getElementById("drill-clock").textContent = clock(state.scenario_minutes);
    var phaseEl = document.getElementById("drill-phase");
    var titles = JSON.parse(phaseEl.getAttribute("data-titles") || "{}");
    var title = titles[state.phase];
    phaseEl.textContent = title ? title[phaseEl.getAttribute("data-lang")] || state.phase : state.phase;
    var changed = knownStatus !== state.status;
    knownStatus = state.status;
    state.injects.forEach(function (inject) {
      var row = document.querySelector('#drill-injects tr[data-key="' + inject.key + '"]');
      if (!row) return;
      if (known[inject.key] && known[inject.key] !== inject.status) changed = true;
      known[inject.key] = inject.status;
      setCell(row, "due", inject.due_local);
      setCell(row, "status", labels[inject.status] || inject.status);
      setCell(row, "released", inject.released_local);
      setCell(row, "lateness",
        inject.lateness_seconds === null ? "" : inject.lateness_seconds.toFixed(1));
    });
    if (changed) swap();
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 3000);
})();
