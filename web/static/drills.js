// The drill run page: refresh the clock and the inject table every few seconds (no reload).
(function () {
  "use strict";
  var run = document.getElementById("drill-run");
  if (!run) return;
  var url = run.getAttribute("data-state-url");
  var statusEl = document.getElementById("drill-status");
  var labels = JSON.parse(statusEl.getAttribute("data-labels") || "{}");
  var known = {};

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
    var changed = false;
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
    // A release changes which buttons a row offers: the server draws them.
    if (changed) window.location.reload();
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
