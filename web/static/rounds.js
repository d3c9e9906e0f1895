// The round sheet on a phone: with no network the round is kept in this browser
// (localStorage) and sent when the network is back. Each round carries the id this page
// made (client_id), so a round sent twice is recorded once. Without JavaScript the form
// is a plain POST.
(function () {
  "use strict";
  var form = document.getElementById("round-form");
  if (!form || !window.fetch || !window.localStorage) return;
  var KEY = "tagengo.rounds.outbox";
  var box = document.getElementById("round-outbox");
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function store(items) { localStorage.setItem(KEY, JSON.stringify(items)); }
  function say(text, isError) {
    box.textContent = text;  // text, never HTML
    box.className = "flash " + (isError ? "error" : "ok");
    box.hidden = !text;
  }
  function showWaiting() {
    var n = load().length;
    if (n) say(form.dataset.waiting.replace("%d", n));
  }
  function newId() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);  // works on a plain-http LAN, unlike crypto.randomUUID
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function fieldsOf() {
    var out = [];
    new FormData(form).forEach(function (v, k) { if (k !== "csrf_token") out.push([k, v]); });
    return out;
  }
  function post(fields) {
    var body = new URLSearchParams();
    body.append("csrf_token", form.elements.csrf_token.value);  // this page's token
    fields.forEach(function (kv) { body.append(kv[0], kv[1]); });
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" },
    }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) throw new Error("not signed in");  // keep it; send again later
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    });
  }
  function flush() {
    var items = load();
    if (sending || !items.length || !navigator.onLine) return;
    sending = true;
    var sent = 0;
    var next = function () {
      var item = load()[0];
      if (!item) { sending = false; if (sent) say(form.dataset.sent.replace("%d", sent)); return; }
      post(item.fields).then(function (res) {
        store(load().filter(function (x) { return x.client_id !== item.client_id; }));
        if (res.status >= 400) {
          say(form.dataset.refused + " " + res.data.errors.map(function (e) { return e.message; }).join(" "), true);
          sending = false;
          return;
        }
        sent += 1;
        next();
      }).catch(function () { sending = false; showWaiting(); });
    };
    next();
  }
  function keep(fields) {
    var items = load();
    items.push({ client_id: form.elements.client_id.value, fields: fields, kept_at: new Date().toISOString() });
    store(items);
    var shelter = form.elements.shelter_id.value;
    form.reset();
    form.elements.shelter_id.value = shelter;
    form.elements.client_id.value = newId();
    showWaiting();
    window.scrollTo(0, 0);
  }
  form.addEventListener("submit", function (ev) {
    if (form.dataset.plain) return;  // the server shows its messages on a plain post
    ev.preventDefault();
    if (!form.reportValidity()) return;
    var fields = fieldsOf();
    if (!navigator.onLine) { keep(fields); return; }
    post(fields).then(function (res) {
      if (res.status >= 400) { form.dataset.plain = "1"; form.submit(); return; }
      window.location.href = res.data.url;
    }).catch(function () { keep(fields); });
  });
  window.addEventListener("online", flush);
  showWaiting();
  flush();
})();
