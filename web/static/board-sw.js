// Tagengo board offline worker: network first, and the last good copy of the board page and its
// files when the center cannot be reached. Announcements themselves come from localStorage
// (board.js); the feed and the live socket are never cached here.
"use strict";
var CACHE = "tagengo-board-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  var page = req.mode === "navigate" && /^\/board\/\d+$/.test(url.pathname);
  if (!page && url.pathname.indexOf("/static/") !== 0 && url.pathname !== "/help/qr.svg") return;
  event.respondWith(
    fetch(req).then(function (resp) {
      if (resp.ok) {
        var copy = resp.clone();
        caches.open(CACHE).then(function (cache) { cache.put(req, copy); });
      }
      return resp;
    }).catch(function () {
      return caches.match(req).then(function (hit) { return hit || Response.error(); });
    })
  );
});
