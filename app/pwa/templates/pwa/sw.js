/* Aftercare service worker (rendered by app/pwa/views.py).
 * - precaches the app shell (CSS, JS, icons, offline page) under a versioned cache name;
 * - network-first for pages, with the offline check-in page as the fallback;
 * - cache-first for versioned static files;
 * - never stores a page or an API answer: those may hold health data. */
"use strict";
const VERSION = {{ version|tojson }};
const CACHE = "aftercare-shell-" + VERSION;
const SHELL = {{ shell|tojson }};
const OFFLINE_URL = {{ offline_url|tojson }};
importScripts({{ outbox_url|tojson }});

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("aftercare-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Pages are never stored; without a network the offline check-in page answers.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (SHELL.includes(url.pathname + url.search)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === AftercareOutbox.SYNC_TAG) {
    event.waitUntil(AftercareOutbox.drain().then(notifyPages));
  }
});

function notifyPages(result) {
  return self.clients.matchAll({ type: "window" }).then((windows) => {
    windows.forEach((w) => w.postMessage({ type: "outbox", result: result }));
  });
}

self.addEventListener("push", (event) => {
  let message = { title: "Aftercare", body: "Time for your check-in", url: "/checkin" };
  try { message = Object.assign(message, event.data ? event.data.json() : {}); } catch (e) { /* keep the default */ }
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body, tag: message.tag, data: { url: message.url, page: message.page },
    icon: {{ shell[-2]|tojson }}, badge: {{ shell[-2]|tojson }},
  }));
});

/* Where a tapped notification leads, from its data and the URLs of the open windows (a pure
 * function: the browser tests ask the running worker). A prompt's url is its own link
 * (/m/<token>): opening it records the opening, then leads to its page (the check-in). A
 * window already showing that page is focused instead, and the link is fetched so the opening
 * is still recorded. Anything else (an escalation's /clinic/) opens its url, or focuses a
 * window already there. */
function notificationTarget(data, windowUrls) {
  const url = (data && data.url) || "/";
  const page = (data && data.page) || url;
  const index = windowUrls.findIndex((w) => new URL(w).pathname === page);
  if (index < 0) return { open: url };
  return { focus: index, record: url !== page ? url : null };
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    const target = notificationTarget(event.notification.data, windows.map((w) => w.url));
    if (target.open) return self.clients.openWindow(target.open);
    const recorded = target.record
      ? fetch(target.record, { credentials: "same-origin", redirect: "manual" }) : null;
    // Settled, not all: a refused focus must not end the wait before the opening is recorded.
    return Promise.allSettled([windows[target.focus].focus(), recorded]);
  }));
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "drain") {
    event.waitUntil(AftercareOutbox.drain().then(notifyPages));
  }
});
