/* Aftercare service worker (rendered by app/pwa/views.py).
 * - precaches the app shell (CSS, JS, icons, offline page) under a versioned cache name;
 * - network-first for pages, with the offline check-in page as the fallback;
 * - cache-first for versioned static files;
 * - never stores a page or an API answer: those may hold health data;
 * - speaks the patient's language: the one their pages last said (outbox.js keeps it on the
 *   device), else the browser's. Its own words are translated here, t("English", language),
 *   from WORDS (the catalog's, per language, for this file's messages: app/pwa/script_words.py);
 *   it precaches the offline page in every language and answers with theirs. */
"use strict";
const VERSION = {{ version|tojson }};
const CACHE = "aftercare-shell-" + VERSION;
const SHELL = {{ shell|tojson }};
const OFFLINE_URLS = {{ offline_urls|tojson }};
const WORDS = {{ words|tojson }};
const ICON = {{ icon_url|tojson }};
importScripts({{ outbox_url|tojson }});

function t(text, language) {
  const words = WORDS[language] || {};
  return Object.prototype.hasOwnProperty.call(words, text) ? words[text] : text;
}

function browserLanguage() {
  const wanted = (self.navigator.languages || [self.navigator.language || ""]).map((l) => l.slice(0, 2).toLowerCase());
  return wanted.find((code) => code in OFFLINE_URLS) || "en";
}

function deviceLanguage() {
  return AftercareOutbox.knownLanguage().catch(() => null).then((known) => (known in OFFLINE_URLS ? known : browserLanguage()));
}

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
    event.respondWith(fetch(request).catch(() => deviceLanguage().then((language) => caches.match(OFFLINE_URLS[language]))));
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

// The server's payload is in the patient's language already; the defaults are for a push
// without one (or one that cannot be read).
self.addEventListener("push", (event) => {
  let sent = {};
  try { sent = event.data ? event.data.json() : {}; } catch (e) { /* keep the defaults */ }
  event.waitUntil(deviceLanguage().then((language) => {
    const message = Object.assign({ title: "Aftercare", body: t("Time for your check-in", language), url: "/checkin" }, sent);
    return self.registration.showNotification(message.title, {
      body: message.body, tag: message.tag, data: { url: message.url }, icon: ICON, badge: ICON,
    });
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
    for (const w of windows) {
      if (new URL(w.url).pathname === target && "focus" in w) return w.focus();
    }
    return self.clients.openWindow(target);
  }));
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "drain") {
    event.waitUntil(AftercareOutbox.drain().then(notifyPages));
  }
});
