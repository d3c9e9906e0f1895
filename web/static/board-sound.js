/* Spoken announcements on a board opened with &sound=1: a chime, then each language.
 *
 * Kept apart from board.js on purpose: it reads the board's config, asks the board feed
 * (GET /api/v1/boards/<id>/feed?since=) every few seconds for new announcements, and plays
 * the sound files the server makes (GET /api/v1/speech/<id>.json lists them). Languages with
 * no voice, or a poor one, are skipped, never spoken with another language's voice.
 * Browsers play sound only after a touch or click, unless the kiosk browser was started with
 * --autoplay-policy=no-user-gesture-required: until then a button asks for one.
 */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  if (params.get("sound") !== "1") { return; }
  var config = JSON.parse(document.body.getAttribute("data-config") || "{}");
  var order = (config.languages || []).map(function (l) { return l.code; });
  var token = encodeURIComponent(config.token || "");
  var POLL_MS = 5000, WAIT_MS = 60000, RETRY_MS = 3000;
  var since = null, queue = [], playing = false, seen = {};
  var audioContext = null;

  var state = document.createElement("button");
  state.type = "button";
  state.id = "sound-state";
  state.setAttribute("aria-live", "polite");
  state.style.cssText = "position:fixed;left:.5em;bottom:.5em;z-index:10;font-size:1.1em;padding:.3em .7em;";
  state.textContent = "🔊 音声を有効にする Enable sound";
  document.body.appendChild(state);

  function ready() {
    state.textContent = "🔊 音声 ON · Sound on";
    state.disabled = true;
  }
  state.addEventListener("click", function () {
    context().resume().then(ready);
  });

  function context() {
    if (!audioContext) {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      audioContext = new Ctx();
      audioContext.onstatechange = function () { if (audioContext.state === "running") { ready(); } };
    }
    return audioContext;
  }
  if (context().state === "running") { ready(); }

  function chime() {
    /* Two soft tones (like a station's ピンポーン), made here: no sound file to fetch. */
    var ctx = context();
    return new Promise(function (resolve) {
      [[784, 0], [622, 0.45]].forEach(function (tone) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        var start = ctx.currentTime + tone[1];
        osc.type = "sine";
        osc.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.4, start + 0.03);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.8);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start);
        osc.stop(start + 0.85);
      });
      window.setTimeout(resolve, 1500);
    });
  }

  function playFile(url) {
    return new Promise(function (resolve) {
      var audio = new Audio(url);
      audio.onended = resolve;
      audio.onerror = resolve;
      audio.play().catch(resolve);
    });
  }

  function manifest(id) {
    return fetch("/api/v1/speech/" + id + ".json?token=" + token, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; });
  }

  function wanted(doc) {
    /* This board's languages that a fair voice speaks, in the board's order. */
    var byLang = {};
    (doc.languages || []).forEach(function (l) { byLang[l.lang] = l; });
    return order.map(function (code) { return byLang[code]; })
      .filter(function (l) { return l && l.on_boards; });
  }

  function waitForSound(id, deadline) {
    return manifest(id).then(function (doc) {
      if (!doc || doc.status !== "active") { return []; }
      var langs = wanted(doc);
      var missing = langs.some(function (l) { return l.status !== "ready"; });
      if (missing && Date.now() < deadline) {
        return new Promise(function (resolve) { window.setTimeout(resolve, RETRY_MS); })
          .then(function () { return waitForSound(id, deadline); });
      }
      return langs.filter(function (l) { return l.status === "ready"; });
    });
  }

  function speak(id) {
    return waitForSound(id, Date.now() + WAIT_MS).then(function (langs) {
      if (!langs.length) { return null; }
      var done = {};
      return chime().then(function () {
        return langs.reduce(function (chain, l) {
          /* Japanese is spoken from やさしい日本語: the same sound is not played twice. */
          if (done[l.digest]) { return chain; }
          done[l.digest] = true;
          return chain.then(function () { return playFile(l.url); });
        }, Promise.resolve());
      });
    });
  }

  function next() {
    if (playing || !queue.length) { return; }
    playing = true;
    speak(queue.shift()).catch(function () { return null; }).then(function () {
      playing = false;
      next();
    });
  }

  var initial = true;  /* what was there before the board opened is not read out again */
  function poll() {
    var url = "/api/v1/boards/" + config.boardId + "/feed?since=" + (since || 0) + "&token=" + token;
    fetch(url, { cache: "no-store" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (page) {
        if (!page) { return false; }
        since = page.last_seq;
        page.events.forEach(function (e) {
          var key = e.announcement_id + ":" + e.revision;
          var fresh = e.type === "announcement.published" || e.type === "announcement.updated";
          if (fresh && !seen[key] && !initial) { queue.push(e.announcement_id); }
          seen[key] = true;
        });
        if (!page.more) { initial = false; }
        next();
        return page.more;
      })
      .catch(function () { return false; })
      .then(function (more) { window.setTimeout(poll, more ? 0 : POLL_MS); });
  }
  poll();
})();
