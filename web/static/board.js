// Tagengo shelter board: renders announcements from live events and catches up from the feed.
// Every text from people or machine translation goes through textContent, never innerHTML.
(function () {
  "use strict";
  var cfg = JSON.parse(document.body.getAttribute("data-config"));
  var state = {};          // announcement_id -> {revision, meta, langs: {lang: event}}
  var seen = {};           // seq -> true, so a redelivered event is applied once
  var gone = {};           // announcement_id -> true once retracted: older events can't revive it
  var lastSeq = 0;         // highest seq seen, live or fetched (shown to tests)
  var feedCursor = 0;      // moved only by the feed: a live event never skips past a lost one
  var catchingUp = false;
  var cycleIndex = 0;
  var main = document.getElementById("announcements");
  var empty = document.getElementById("empty");
  var conn = document.getElementById("conn");

  var BADGES = {
    vetted: ["確認済み", "vetted"],
    draft: ["下書き", "draft"],
    machine: ["機械翻訳", "machine translation"],
    human: ["職員", "staff"],
    memory: ["翻訳メモリ", "memory"],
    pending: ["翻訳待ち", "translation pending"]
  };
  var SEVERITY_LABEL = {
    Extreme: "最重要 Extreme", Severe: "重要 Severe", Moderate: "注意 Moderate",
    Minor: "お知らせ Minor", Unknown: "お知らせ Notice"
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function badgeFor(ev) {
    if (ev.status !== "done") return BADGES.pending;
    if (ev.method === "phrasebook") return ev.reviewed ? BADGES.vetted : BADGES.draft;
    if (ev.method === "machine") return ev.reviewed ? BADGES.vetted : BADGES.machine;
    if (ev.method === "memory") return BADGES.memory;
    return BADGES.human;
  }

  function apply(ev) {
    if (ev.seq && seen[ev.seq]) return;
    if (ev.seq) { seen[ev.seq] = true; if (ev.seq > lastSeq) lastSeq = ev.seq; }
    var item = state[ev.announcement_id];
    if (ev.type === "announcement.retracted") {
      gone[ev.announcement_id] = true;
      delete state[ev.announcement_id];
      return;
    }
    if (gone[ev.announcement_id]) return;  // the feed may replay events older than a live retraction
    if (ev.type === "announcement.published" || ev.type === "announcement.updated") {
      if (item && item.revision > ev.revision) return;
      item = { revision: ev.revision, meta: ev, langs: {} };
      item.langs[ev.lang] = ev;
      state[ev.announcement_id] = item;
      return;
    }
    if (ev.type === "announcement.translated") {
      if (!item || item.revision !== ev.revision) return;  // an older revision's language
      var had = item.langs[ev.lang];
      if (had && had.seq > ev.seq) return;  // a reviewed text replaced it already
      item.langs[ev.lang] = ev;
    }
  }

  function expired(meta) {
    return meta.expires_at && new Date(meta.expires_at).getTime() < Date.now();
  }

  // Furigana: <ruby> built from text segments, never from HTML.
  function rubyText(segments) {
    var p = el("p", "text");
    segments.forEach(function (seg) {
      if (!seg[1]) { p.appendChild(document.createTextNode(String(seg[0]))); return; }
      var ruby = document.createElement("ruby");
      ruby.appendChild(document.createTextNode(String(seg[0])));
      ruby.appendChild(el("rt", null, seg[1]));
      p.appendChild(ruby);
    });
    return p;
  }

  function languageBlock(lang, ev, isSource) {
    var box = el("div", "lang" + (isSource ? " source" : ""));
    box.setAttribute("lang", lang.code);
    box.setAttribute("dir", lang.dir);
    var head = el("div", "lang-head");
    head.appendChild(el("span", "lang-name", lang.native));
    if (ev && !isSource) {
      var b = badgeFor(ev);
      var badge = el("span", "badge badge-" + (ev.status !== "done" ? "pending" : ev.method + (ev.reviewed ? "-reviewed" : "")));
      badge.textContent = b[0] + " · " + b[1];
      head.appendChild(badge);
    }
    box.appendChild(head);
    if (ev && ev.status === "done" && ev.text && cfg.furigana && ev.ruby) {
      box.appendChild(rubyText(ev.ruby));
    } else if (ev && ev.status === "done" && ev.text) {
      box.appendChild(el("p", "text", ev.text));
    } else {
      box.appendChild(el("p", "text muted", "…"));
    }
    return box;
  }

  function render() {
    var ids = Object.keys(state).map(Number).sort(function (a, b) {
      var sa = state[a].meta, sb = state[b].meta;
      var rank = { Extreme: 0, Severe: 1, Moderate: 2, Minor: 3, Unknown: 4 };
      return (rank[sa.severity] - rank[sb.severity]) || (b - a);
    }).filter(function (id) { return !expired(state[id].meta); });
    main.textContent = "";
    if (!ids.length) { main.appendChild(empty); return; }
    ids.forEach(function (id) {
      var item = state[id];
      var meta = item.meta;
      var card = el("article", "card sev-" + String(meta.severity).toLowerCase() + (meta.drill ? " drill" : ""));
      card.setAttribute("data-announcement", id);
      var head = el("div", "card-head");
      head.appendChild(el("span", "severity", SEVERITY_LABEL[meta.severity] || meta.severity));
      head.appendChild(el("span", "category", meta.category));
      if (meta.drill) head.appendChild(el("span", "drill-tag", "訓練 DRILL"));
      card.appendChild(head);
      if (meta.drill) card.appendChild(el("div", "watermark", "訓練 DRILL"));
      var source = cfg.languages.filter(function (l) { return l.code === meta.lang; })[0] ||
        { code: meta.lang, native: meta.lang, dir: "ltr" };
      card.appendChild(languageBlock(source, item.langs[meta.lang], true));
      var grid = el("div", "langs");
      var others = cfg.languages.filter(function (l) { return l.code !== meta.lang; });
      if (cfg.layout === "cycle" && others.length) {
        others = [others[cycleIndex % others.length]];
      }
      // Languages still waiting get one compact line, so the screen shows what can be read.
      var waiting = [];
      others.forEach(function (lang) {
        var ev = item.langs[lang.code];
        if (cfg.layout !== "cycle" && (!ev || ev.status !== "done")) { waiting.push(lang); return; }
        grid.appendChild(languageBlock(lang, ev, false));
      });
      card.appendChild(grid);
      if (waiting.length) {
        var line = el("p", "waiting");
        line.appendChild(el("span", "badge badge-pending", BADGES.pending[0] + " · " + BADGES.pending[1]));
        waiting.forEach(function (lang) {
          var name = el("span", "waiting-lang", lang.native);
          name.setAttribute("lang", lang.code);
          line.appendChild(name);
        });
        card.appendChild(line);
      }
      main.appendChild(card);
    });
  }

  function touched() {
    document.getElementById("last-update").textContent = new Date().toLocaleTimeString("ja-JP");
    render();
  }

  function setConn(kind, ja, en) {
    conn.className = "conn " + kind;
    conn.textContent = ja + " " + en;
    document.body.classList.toggle("offline", kind !== "live");
  }

  function catchUp() {
    if (catchingUp) return;
    catchingUp = true;
    var url = "/api/v1/boards/" + cfg.boardId + "/feed?since=" + feedCursor;
    fetch(url, { headers: { "Authorization": "Bearer " + cfg.token }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("feed " + r.status);
        return r.json();
      })
      .then(function (page) {
        page.events.forEach(apply);
        if (page.last_seq > feedCursor) feedCursor = page.last_seq;
        catchingUp = false;
        touched();
        if (page.more) catchUp();
      })
      .catch(function () { catchingUp = false; setTimeout(catchUp, 3000); });
  }

  var socket = io("/live", {
    auth: { board_token: cfg.token },
    transports: ["websocket", "polling"],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000
  });
  socket.on("connect", function () { setConn("live", "受信中", "Live"); catchUp(); });
  socket.on("disconnect", function () { setConn("reconnecting", "再接続中…", "Reconnecting…"); });
  socket.on("connect_error", function () { setConn("reconnecting", "再接続中…", "Reconnecting…"); });
  socket.on("board_event", function (ev) { apply(ev); touched(); });
  socket.on("revoked", function () {
    socket.io.opts.reconnection = false;
    socket.disconnect();
    setConn("revoked", "このリンクは無効です", "This board link was replaced; ask the center for the new one.");
  });

  function tick() {
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit" });
  }
  tick();
  setInterval(tick, 10000);
  setInterval(function () { cycleIndex += 1; if (cfg.layout === "cycle") render(); }, 8000);
  setInterval(render, 30000);  // drop expired items even when nothing new arrives
  // Socket.IO over Redis is at-most-once: an emit lost while Redis restarts leaves no trace on
  // a board that stayed connected. Asking the feed now and then closes such gaps.
  setInterval(function () { if (socket.connected) catchUp(); }, 45000 + Math.random() * 15000);
  // A disaster word every 15 s: the Japanese a resident will hear, its reading, its meaning.
  var strip = document.getElementById("glossary");
  var glossaryIndex = 0;
  function showTerm() {
    var terms = cfg.glossary || [];
    if (!strip || !terms.length) return;
    var t = terms[glossaryIndex++ % terms.length];
    strip.textContent = "";
    var head = el("span", "term", t.ja);
    head.setAttribute("lang", "ja");
    strip.appendChild(head);
    strip.appendChild(el("span", "reading", t.reading));
    Object.keys(t.text).forEach(function (code) {
      var part = el("span", "meaning", t.text[code]);
      part.setAttribute("lang", code);
      strip.appendChild(part);
    });
  }
  showTerm();
  setInterval(showTerm, 15000);
  window.tagengoBoard = { state: state, lastSeq: function () { return lastSeq; } };
})();
