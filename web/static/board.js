// Tagengo shelter board: pages through the active announcements on a TV nobody touches.
// Every text from people or machine translation goes through textContent, never innerHTML,
// and sits in its own bidi-isolated element with its lang, so no character can turn a line.
(function () {
  "use strict";
  var cfg = JSON.parse(document.body.getAttribute("data-config"));
  var L = cfg.labels || { severity: {}, category: {}, ui: {} };
  var state = {};          // announcement_id -> {revision, meta, langs: {lang: event}}
  var seen = {};           // seq -> true, so a redelivered event is applied once
  var gone = {};           // announcement_id -> true once retracted: older events can't revive it
  var early = {};          // announcement_id -> languages that arrived before the announcement
  var lastSeq = 0;         // highest seq seen, live or fetched (shown to tests)
  var feedCursor = 0;      // moved only by the feed: a live event never skips past a lost one
  var catchingUp = false;
  var booted = false;      // after the first feed (or a restored one), news is highlighted
  var lastContact = 0;     // ms of the last feed answer or live event
  var fresh = {};          // announcement_id -> ms until which it is highlighted
  var pages = [];          // the paging plan: [{id, langs, waiting, scale, part, parts}]
  var pageIndex = 0;
  var pageTimer = null;
  var turns = 0;           // pages turned by the timer so far (read by tests)
  var history = [];        // announcement id of each page the timer turned to (read by tests)
  var main = document.getElementById("announcements");
  var stage = document.getElementById("stage");
  var measure = document.getElementById("measure");
  var empty = document.getElementById("empty");
  var conn = document.getElementById("conn");
  var pager = document.getElementById("pager");
  var ageEl = document.getElementById("age");
  var STORE = "tagengo-board-" + cfg.boardId;
  var HIGHLIGHT_MS = 90000;
  var LIFE_SAFETY = { evacuation: 1, tsunami: 1, weather: 1, safety: 1, medical: 1 };
  // Font scales a page may use, largest first; below SPLIT a card is split across pages.
  var SCALES = [2.2, 1.9, 1.65, 1.45, 1.3, 1.15, 1.05, 0.95, 0.86, 0.78, 0.72];
  var SPLIT = 0.72;
  var LAST_RESORT = [0.64, 0.56, 0.5, 0.44, 0.38];

  var BADGES = {
    vetted: ["確認済み", "vetted"],
    draft: ["下書き", "draft"],
    machine: ["機械翻訳", "machine translation"],
    human: ["職員", "staff"],
    memory: ["翻訳メモリ", "memory"],
    pending: ["翻訳待ち", "translation pending"]
  };
  var LANG = {};
  cfg.languages.forEach(function (l) { LANG[l.code] = l; });

  function el(tag, cls, text, lang) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (lang) node.setAttribute("lang", lang);
    return node;
  }

  // Free text (people, machine translation): its own lang, direction found from its letters.
  function userText(tag, cls, text, lang) {
    var node = el(tag, cls, text, lang);
    node.setAttribute("dir", "auto");
    return node;
  }

  function word(kind, key, lang) {
    var row = (L[kind] || {})[key];
    if (!row) return null;
    return row[lang] || row.en || null;
  }

  // 警戒レベル from CAP severity and urgency (README: "Boards on a TV"); the table comes from
  // the server (translations/board_labels.py LEVELS), which posters use too.
  var LEVELS = cfg.levels || {};
  function level(meta) {
    var pair = LEVELS[meta.severity] || [1, 1];
    return meta.urgency === "Immediate" ? pair[1] : pair[0];
  }

  function sourceOf(meta) { return meta.source_lang || meta.lang; }

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
      delete fresh[ev.announcement_id];
      return;
    }
    if (gone[ev.announcement_id]) return;  // the feed may replay events older than a live retraction
    if (ev.type === "announcement.published" || ev.type === "announcement.updated") {
      if (item && item.revision > ev.revision) return;
      item = { revision: ev.revision, meta: ev, langs: {} };
      item.langs[ev.lang] = ev;
      state[ev.announcement_id] = item;
      if (booted) fresh[ev.announcement_id] = Date.now() + HIGHLIGHT_MS;
      var waiting = early[ev.announcement_id] || [];
      delete early[ev.announcement_id];
      waiting.forEach(apply);
      return;
    }
    if (ev.type === "announcement.translated") {
      if (!item) {
        // A live language can overtake the feed that brings its announcement: keep it for
        // then, and unseen, so a later feed applies it even if this page is reloaded first.
        delete seen[ev.seq];
        (early[ev.announcement_id] = early[ev.announcement_id] || []).push(ev);
        return;
      }
      if (item.revision !== ev.revision) return;  // an older revision's language
      var had = item.langs[ev.lang];
      if (had && had.seq > ev.seq) return;  // a reviewed text replaced it already
      item.langs[ev.lang] = ev;
    }
  }

  function expired(meta) {
    return meta.expires_at && new Date(meta.expires_at).getTime() < Date.now();
  }

  function ready(ev) { return ev && ev.status === "done" && ev.text; }

  // Extreme/Severe (level 3+) and life-safety categories first, then the newest.
  function ordered() {
    return Object.keys(state).map(Number).filter(function (id) {
      var meta = state[id].meta;
      return !expired(meta) && (cfg.showDrill === true || !meta.drill);
    }).sort(function (a, b) {
      var ma = state[a].meta, mb = state[b].meta;
      var ua = (level(ma) >= 3 || LIFE_SAFETY[ma.category]) ? 1 : 0;
      var ub = (level(mb) >= 3 || LIFE_SAFETY[mb.category]) ? 1 : 0;
      return (ub - ua) || (level(mb) - level(ma)) || ((mb.seq || b) - (ma.seq || a));
    });
  }

  // The target languages of an announcement in board order: chosen ones first (or only).
  function targets(meta) {
    var src = sourceOf(meta);
    var prefer = (cfg.prefer || []).filter(function (c) { return c !== src && LANG[c]; });
    var rest = cfg.only ? [] : cfg.languages.map(function (l) { return l.code; })
      .filter(function (c) { return c !== src && prefer.indexOf(c) < 0; });
    return prefer.concat(rest);
  }

  // Furigana: <ruby> built from text segments, never from HTML.
  function rubyText(segments, lang) {
    var p = userText("p", "text", null, lang);
    segments.forEach(function (seg) {
      if (!seg[1]) { p.appendChild(document.createTextNode(String(seg[0]))); return; }
      var ruby = document.createElement("ruby");
      ruby.appendChild(document.createTextNode(String(seg[0])));
      ruby.appendChild(el("rt", null, seg[1]));
      p.appendChild(ruby);
    });
    return p;
  }

  function langInfo(code) { return LANG[code] || { code: code, native: code, dir: "ltr" }; }

  function languageBlock(code, ev, isSource, meta) {
    var lang = langInfo(code);
    var box = el("div", "lang" + (isSource ? " source" : ""), null, lang.code);
    box.setAttribute("dir", lang.dir);
    var head = el("div", "lang-head");
    head.appendChild(el("bdi", "lang-name", lang.native));
    if (!isSource) {
      var sev = word("severity", meta.severity, code), cat = word("category", meta.category, code);
      if (sev) head.appendChild(el("bdi", "lang-sev", sev));
      if (cat) head.appendChild(el("bdi", "lang-cat", cat));
      if (ev) {
        var b = badgeFor(ev);
        var badge = el("span", "badge badge-" + (ev.status !== "done" ? "pending" : ev.method + (ev.reviewed ? "-reviewed" : "")));
        badge.appendChild(el("span", null, b[0], "ja"));
        badge.appendChild(document.createTextNode(" · "));
        badge.appendChild(el("span", null, b[1], "en"));
        head.appendChild(badge);
      }
    }
    box.appendChild(head);
    if (ready(ev) && cfg.furigana && ev.ruby) box.appendChild(rubyText(ev.ruby, lang.code));
    else if (ready(ev)) box.appendChild(userText("p", "text", ev.text, lang.code));
    else box.appendChild(el("p", "text muted", "…"));
    return box;
  }

  var SVG = "http://www.w3.org/2000/svg";
  // A shape per level, so the level reads without colour: triangle with "!" for 3–5, circle "i" below.
  function icon(lv) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "lv-icon");
    svg.setAttribute("aria-hidden", "true");
    var shape = document.createElementNS(SVG, "path");
    var mark = document.createElementNS(SVG, "path");
    if (lv >= 3) {
      shape.setAttribute("d", "M12 2 L23 21 H1 Z");
      mark.setAttribute("d", "M11 8 H13 V15 H11 Z M11 17 H13 V19 H11 Z");
    } else {
      shape.setAttribute("d", "M12 1 A11 11 0 1 0 12.01 1 Z");
      mark.setAttribute("d", "M11 10 H13 V18 H11 Z M11 6 H13 V8 H11 Z");
    }
    shape.setAttribute("class", "lv-shape");
    mark.setAttribute("class", "lv-mark");
    svg.appendChild(shape);
    svg.appendChild(mark);
    return svg;
  }

  function buildCard(page) {
    var item = state[page.id];
    var meta = item.meta;
    var lv = level(meta);
    var card = el("article", "card lv-" + lv + (meta.drill ? " drill" : "") +
      (fresh[page.id] > Date.now() ? " fresh" : ""));
    card.setAttribute("data-announcement", page.id);
    card.setAttribute("data-level", lv);
    card.style.setProperty("--s", page.scale);
    var head = el("div", "card-head");
    var lvBox = el("span", "level");
    lvBox.appendChild(icon(lv));
    lvBox.appendChild(el("span", "lv-num", "Lv" + lv));
    head.appendChild(lvBox);
    ["ja", "en"].forEach(function (code) {
      var sev = word("severity", meta.severity, code) || meta.severity;
      head.appendChild(el("span", "sev", sev, code));
    });
    ["ja", "en"].forEach(function (code) {
      var cat = word("category", meta.category, code);
      if (cat) head.appendChild(el("span", "cat", cat, code));
    });
    if (meta.drill) head.appendChild(el("span", "drill-tag", "訓練 DRILL"));
    if (fresh[page.id] > Date.now()) {
      var tag = el("span", "new-tag");
      tag.appendChild(el("span", null, word("ui", "new", "ja") || "新着", "ja"));
      tag.appendChild(document.createTextNode(" "));
      tag.appendChild(el("span", null, word("ui", "new", "en") || "New", "en"));
      head.appendChild(tag);
    }
    if (page.parts > 1) head.appendChild(el("span", "part", page.part + "/" + page.parts));
    card.appendChild(head);
    if (meta.drill) card.appendChild(el("div", "watermark", "訓練 DRILL"));
    var src = sourceOf(meta);
    card.appendChild(languageBlock(src, item.langs[src], true, meta));
    if (page.langs.length) {
      var grid = el("div", "langs" + (page.langs.length === 1 ? " single" : ""));
      page.langs.forEach(function (code) { grid.appendChild(languageBlock(code, item.langs[code], false, meta)); });
      card.appendChild(grid);
    }
    // Languages still waiting are named once, on one line, so the screen shows what can be read.
    if (page.waiting.length) {
      var line = el("p", "waiting");
      var badge = el("span", "badge badge-pending");
      badge.appendChild(el("span", null, BADGES.pending[0], "ja"));
      badge.appendChild(document.createTextNode(" · "));
      badge.appendChild(el("span", null, BADGES.pending[1], "en"));
      line.appendChild(badge);
      page.waiting.forEach(function (code) {
        line.appendChild(el("bdi", "waiting-lang", langInfo(code).native, code));
      });
      card.appendChild(line);
    }
    return card;
  }

  // Does this page fit the stage at its scale? Measured off-screen at the stage's size.
  function fits(page) {
    measure.style.width = stage.clientWidth + "px";
    measure.textContent = "";
    measure.appendChild(buildCard(page));
    return measure.scrollHeight <= stage.clientHeight + 1 && measure.scrollWidth <= stage.clientWidth + 1;
  }

  function withScale(page, scales) {
    // Fitting only gets easier as the scale shrinks: binary search for the largest that fits.
    var lo = 0, hi = scales.length - 1, best = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      page.scale = scales[mid];
      if (fits(page)) { best = mid; hi = mid - 1; } else lo = mid + 1;
    }
    page.scale = best >= 0 ? scales[best] : null;
    return best >= 0;
  }

  function pagesFor(id) {
    var item = state[id];
    var langs = targets(item.meta);
    var readyLangs = langs.filter(function (c) { return ready(item.langs[c]); });
    var waiting = langs.filter(function (c) { return !ready(item.langs[c]); });
    var out = [];
    if (cfg.layout === "cycle" && readyLangs.length) {
      // One language at a time: a page per language that has a text, none for those waiting.
      readyLangs.forEach(function (c) { out.push({ id: id, langs: [c], waiting: waiting }); });
    } else {
      var whole = { id: id, langs: readyLangs, waiting: waiting };
      if (withScale(whole, SCALES)) return [whole];
      // Too much for one screen: as many language blocks per page as fit at the split scale.
      var chunk = [];
      readyLangs.forEach(function (c) {
        var trial = { id: id, langs: chunk.concat([c]), waiting: [], scale: SPLIT };
        if (chunk.length && !fits(trial)) { out.push({ id: id, langs: chunk, waiting: [] }); chunk = [c]; }
        else chunk = trial.langs;
      });
      out.push({ id: id, langs: chunk, waiting: waiting });
    }
    out.forEach(function (p, i) {
      p.part = i + 1;
      p.parts = cfg.layout === "cycle" ? 1 : out.length;
      if (!withScale(p, SCALES) && !withScale(p, LAST_RESORT)) p.scale = LAST_RESORT[LAST_RESORT.length - 1];
    });
    return out;
  }

  function dwellFor(page) {
    var item = state[page.id];
    var src = item.langs[sourceOf(item.meta)];
    var longest = 0;
    page.langs.forEach(function (c) {
      var ev = item.langs[c];
      if (ready(ev)) longest = Math.max(longest, String(ev.text).length);
    });
    // Time to find one's language, read the original and read the longest translation.
    var secs = 3 + page.langs.length * 0.5 + (ready(src) ? String(src.text).length : 0) / 15 + longest / 15;
    return Math.round(1000 * Math.min(cfg.dwellMax, Math.max(cfg.dwellMin, secs)));
  }

  function plan() {
    var ids = ordered();
    var out = [];
    ids.forEach(function (id) { out = out.concat(pagesFor(id)); });
    measure.textContent = "";
    return out;
  }

  function showPage() {
    main.textContent = "";
    if (!pages.length) {
      main.appendChild(empty);
      pager.textContent = "";
      return;
    }
    if (pageIndex >= pages.length) pageIndex = 0;
    var page = pages[pageIndex];
    main.appendChild(buildCard(page));
    // A font that arrived after planning can make a planned page taller: plan again, once.
    if (main.scrollHeight > stage.clientHeight + 1 && !page.replanned) {
      page.replanned = true;
      setTimeout(function () { render(); }, 0);
    }
    var ids = [];
    pages.forEach(function (p) { if (ids.indexOf(p.id) < 0) ids.push(p.id); });
    pager.textContent = (ids.indexOf(page.id) + 1) + " / " + ids.length;
    pager.setAttribute("aria-label", "お知らせ " + pager.textContent);
  }

  function schedule() {
    clearTimeout(pageTimer);
    if (!pages.length) return;
    pageTimer = setTimeout(function () {
      pageIndex = (pageIndex + 1) % pages.length;
      turns += 1;
      showPage();
      if (pages.length) history.push(pages[pageIndex].id);
      schedule();
    }, dwellFor(pages[pageIndex]));
  }

  // Plan again after a change; stay on the page shown, or jump to news and start its dwell.
  function render(jumpTo) {
    var current = pages[pageIndex];
    pages = plan();
    var target = jumpTo !== undefined ? jumpTo : (current && current.id);
    var at = -1;
    pages.forEach(function (p, i) {
      if (at < 0 && p.id === target && (jumpTo !== undefined || !current || p.part >= current.part)) at = i;
    });
    if (at < 0 && current) {
      // The page shown is gone: carry on with what came after it.
      at = Math.min(pageIndex, pages.length - 1);
    }
    var moved = at !== pageIndex || jumpTo !== undefined || !current;
    pageIndex = Math.max(at, 0);
    showPage();
    if (moved) schedule();
  }

  function newest() {
    var best = null, when = 0;
    Object.keys(fresh).forEach(function (id) {
      if (fresh[id] > when && state[id]) { when = fresh[id]; best = Number(id); }
    });
    return best;
  }

  var lastFresh = null;
  function touched() {
    save();
    var news = newest();
    var jump = news !== null && fresh[news] !== lastFresh ? news : undefined;
    if (jump !== undefined) lastFresh = fresh[news];
    render(jump);
    showAge();
  }

  function contact() {
    lastContact = Date.now();
    document.getElementById("last-update").textContent =
      new Date(lastContact).toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit" });
  }

  function showAge() {
    if (!lastContact) { ageEl.textContent = ""; return; }
    var mins = Math.floor((Date.now() - lastContact) / 60000);
    if (mins < 1 && conn.classList.contains("live")) { ageEl.textContent = ""; return; }
    ageEl.textContent = "";
    ageEl.appendChild(el("span", null, mins + "分前", "ja"));
    ageEl.appendChild(document.createTextNode(" · "));
    ageEl.appendChild(el("span", null, "last updated " + mins + " min ago", "en"));
  }

  // The last feed stays in the browser, so a reload while the center is unreachable still shows it.
  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify({
        v: 1, contact: lastContact, feedCursor: feedCursor, lastSeq: lastSeq, state: state, gone: gone
      }));
    } catch (e) { /* storage full or disabled: the board still works live */ }
  }

  function restore() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { saved = null; }
    if (!saved || saved.v !== 1 || typeof saved.state !== "object") return;
    state = saved.state || {};
    gone = saved.gone || {};
    feedCursor = saved.feedCursor || 0;
    lastSeq = saved.lastSeq || 0;
    Object.keys(state).forEach(function (id) {
      var langs = state[id].langs || {};
      Object.keys(langs).forEach(function (c) { if (langs[c].seq) seen[langs[c].seq] = true; });
    });
    if (saved.contact) {
      lastContact = saved.contact;
      document.getElementById("last-update").textContent =
        new Date(lastContact).toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit" });
    }
    booted = true;
  }

  function setConn(kind, ja, en) {
    conn.className = "conn " + kind;
    conn.textContent = "";
    conn.appendChild(el("span", null, ja, "ja"));
    conn.appendChild(document.createTextNode(" "));
    conn.appendChild(el("span", null, en, "en"));
    document.body.classList.toggle("offline", kind !== "live");
    showAge();
  }

  function catchUp() {
    if (catchingUp) return;
    catchingUp = true;
    var url = "/api/v1/boards/" + cfg.boardId + "/feed?since=" + feedCursor +
      (cfg.showDrill ? "&drill=1" : "");
    fetch(url, { headers: { "Authorization": "Bearer " + cfg.token }, cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("feed " + r.status);
        return r.json();
      })
      .then(function (page) {
        page.events.forEach(apply);
        if (page.last_seq > feedCursor) feedCursor = page.last_seq;
        catchingUp = false;
        contact();
        if (!page.more) booted = true;
        touched();
        if (page.more) catchUp();
      })
      .catch(function () { catchingUp = false; setTimeout(catchUp, 3000); });
  }

  restore();
  render();
  showAge();

  var socket = io("/live", {
    auth: { board_token: cfg.token },
    transports: ["websocket", "polling"],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000
  });
  socket.on("connect", function () { setConn("live", "受信中", "Live"); catchUp(); });
  socket.on("disconnect", function () { setConn("reconnecting", "再接続中…", "Reconnecting…"); });
  socket.on("connect_error", function () { setConn("reconnecting", "再接続中…", "Reconnecting…"); });
  socket.on("board_event", function (ev) { apply(ev); contact(); touched(); });
  socket.on("revoked", function () {
    socket.io.opts.reconnection = false;
    socket.disconnect();
    try { localStorage.removeItem(STORE); } catch (e) { /* nothing kept */ }
    setConn("revoked", "このリンクは無効です", "This board link was replaced; ask the center for the new one.");
  });

  function tick() {
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit" });
    showAge();
  }
  tick();
  setInterval(tick, 10000);
  setInterval(function () { render(); }, 30000);  // drop expired items even when nothing new arrives
  // Script fonts (Thai, Myanmar, Devanagari…) load when first used and change every height.
  if (document.fonts && document.fonts.addEventListener) {
    document.fonts.addEventListener("loadingdone", function () { render(); });
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { render(); }, 200);
  });
  // Socket.IO over Redis is at-most-once: an emit lost while Redis restarts leaves no trace on
  // a board that stayed connected. Asking the feed now and then closes such gaps.
  setInterval(function () { if (socket.connected) catchUp(); }, 45000 + Math.random() * 15000);

  // A disaster word every 15 s: the Japanese a resident will hear, its reading, its meanings,
  // the board's chosen languages first; meanings that do not fit the strip are left out.
  var strip = document.getElementById("glossary");
  var glossaryIndex = 0;
  var term = null;
  function drawTerm() {
    var t = term;
    if (!strip || !t) return;
    var codes = Object.keys(t.text);
    var prefer = (cfg.prefer || []).filter(function (c) { return codes.indexOf(c) >= 0; });
    codes = prefer.concat(cfg.only ? [] : codes.filter(function (c) { return prefer.indexOf(c) < 0; }));
    strip.textContent = "";
    strip.style.fontSize = "";
    strip.appendChild(el("span", "term", t.ja, "ja"));
    strip.appendChild(el("span", "reading", t.reading, "ja-Hira"));
    var parts = codes.map(function (code) {
      var part = userText("span", "meaning", t.text[code], code);
      strip.appendChild(part);
      return part;
    });
    var size = 1;
    while (stripOverflows() && size > 0.7) {
      size -= 0.05;
      strip.style.fontSize = size + "em";
    }
    while (stripOverflows() && parts.length) strip.removeChild(parts.pop());
  }
  // Tall scripts (Myanmar, Thai) draw above and below their line: compare every word's box too.
  function stripOverflows() {
    if (strip.scrollHeight > strip.clientHeight + 1) return true;
    var box = strip.getBoundingClientRect();
    for (var i = 0; i < strip.children.length; i++) {
      var r = strip.children[i].getBoundingClientRect();
      if (r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5) return true;
    }
    return false;
  }
  function showTerm() {
    var terms = cfg.glossary || [];
    if (!terms.length) return;
    term = terms[glossaryIndex++ % terms.length];
    drawTerm();
  }
  // A script font arriving late, or a new screen size, changes what fits: measure again.
  if (document.fonts && document.fonts.addEventListener) {
    document.fonts.addEventListener("loadingdone", drawTerm);
  }
  window.addEventListener("resize", drawTerm);
  showTerm();
  setInterval(showTerm, 15000);

  // Keep the page and its files for a reload while the center is unreachable (HTTPS or localhost).
  var offline = { ready: false };
  if ("serviceWorker" in navigator && window.isSecureContext && window.caches) {
    navigator.serviceWorker.register("/board/sw.js", { scope: "/board/" })
      .then(function () { return caches.open("tagengo-board-v1"); })
      .then(function (cache) {
        var urls = [location.href];
        document.querySelectorAll("link[rel=stylesheet], script[src], img[src]").forEach(function (n) {
          urls.push(n.href || n.src);
        });
        performance.getEntriesByType("resource").forEach(function (r) {
          if (r.name.indexOf(location.origin + "/static/") === 0) urls.push(r.name);
        });
        return Promise.all(urls.map(function (u) { return cache.add(u).catch(function () {}); }));
      })
      .then(function () { offline.ready = true; })
      .catch(function () { /* no offline copy: the board still works live */ });
  }

  window.tagengoBoard = {
    state: state,
    lastSeq: function () { return lastSeq; },
    pages: function () { return pages.map(function (p) { return { id: p.id, part: p.part, parts: p.parts, scale: p.scale, langs: p.langs, dwell: dwellFor(p) }; }); },
    turns: function () { return turns; },
    history: function () { return history.slice(); },
    offline: offline
  };
})();
