/* Aftercare service worker (rendered by app/pwa/views.py).
 * - precaches the app shell (CSS, JS, icons, offline page) under a versioned cache name;
 * - network-first for pages, with the offline check-in page as the fallback;
 * - cache-first for versioned static files;
 * - never stores a page or an API answer: those may hold health data;
 * - speaks the patient's language: the one their pages last said (outbox.js keeps it on the
 *   device), else the browser's. Its own words are translated here, t("English", language),
 *   from WORDS (the catalog's, per language, for this file's messages: app/pwa/script_words.py).
 *   Of OFFLINE (per language: the offline page, and its words script) it keeps the patient's
 *   language's only (the page weight), taken again when a page says another. */
"use strict";
const VERSION = {{ version|tojson }};
const CACHE = "aftercare-shell-" + VERSION;
const SHELL = {{ shell|tojson }};
const OFFLINE = {{ offline|tojson }};
const WORDS = {{ words|tojson }};
const ICON = {{ icon_url|tojson }};
importScripts({{ outbox_url|tojson }});

function t(text, language) {
  const words = WORDS[language] || {};
  return Object.prototype.hasOwnProperty.call(words, text) ? words[text] : text;
}

// A language this worker keeps an offline page for (own keys only: never "constructor").
function hasOffline(code) {
  return typeof code === "string" && Object.prototype.hasOwnProperty.call(OFFLINE, code);
}

function browserLanguage() {
  const wanted = (self.navigator.languages || [self.navigator.language || ""]).map((l) => l.slice(0, 2).toLowerCase());
  return wanted.find(hasOffline) || "en";
}

function deviceLanguage() {
  return AftercareOutbox.knownLanguage().catch(() => null).then((known) => (hasOffline(known) ? known : browserLanguage()));
}

// The offline page (and words) of this language in the cache, and no other language's.
function keepOffline(language) {
  const wanted = hasOffline(language) ? OFFLINE[language] : OFFLINE.en;
  const others = [].concat(...Object.values(OFFLINE)).filter((url) => !wanted.includes(url));
  return caches.open(CACHE).then((cache) => Promise.all(wanted.map((url) => cache.match(url)))
    .then((hits) => (hits.every(Boolean) ? null : cache.addAll(wanted)))
    .then(() => Promise.all(others.map((url) => cache.delete(url)))));
}

function offlinePage(language) {
  const pages = [OFFLINE[language] || OFFLINE.en, ...Object.values(OFFLINE)].map((urls) => urls[0]);
  return pages.reduce((found, url) => found.then((hit) => hit || caches.match(url)), Promise.resolve(null));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(deviceLanguage).then(keepOffline)
    .then(() => self.skipWaiting()));
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
    event.respondWith(fetch(request).catch(() => deviceLanguage().then(offlinePage)));
    return;
  }
  if (SHELL.includes(url.pathname + url.search) || [].concat(...Object.values(OFFLINE)).includes(url.pathname + url.search)) {
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
      body: message.body, tag: message.tag, data: { url: message.url, page: message.page },
      icon: ICON, badge: ICON,
    });
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
  // A patient's page, in their language (core.js): that language's offline page is kept.
  if (event.data && event.data.type === "language" && hasOffline(event.data.language)) {
    event.waitUntil(keepOffline(event.data.language).catch(() => { /* taken on the next page */ }));
  }
});
