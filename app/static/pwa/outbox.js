/* The offline outbox: check-ins saved on the phone until the server has them.
 * Shared by the pages and the service worker (importScripts). Entries are keyed by the
 * check-in's client_id, so a replay is harmless: the server stores each client_id once.
 * A refused or unreadable entry is kept aside with what was wrong, never retried forever.
 * A sent entry leaves a receipt (its key and when; for a worrying check-in also its id, so
 * the page can show the crisis and clinic contacts the server answered with), so whichever
 * page opens next can say "Sent", and show those contacts, even when the service worker sent
 * it while no page was listening. */
(function (root) {
  "use strict";
  var DB_NAME = "aftercare";
  var WAITING = "outbox";
  var REJECTED = "rejected";
  var SENT = "sent";
  var SYNC_TAG = "checkin-outbox";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 2);
      request.onupgradeneeded = function () {
        [WAITING, REJECTED, SENT].forEach(function (name) {
          if (!request.result.objectStoreNames.contains(name)) {
            request.result.createObjectStore(name, { keyPath: "key" });
          }
        });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // One transaction over one store or several; work gets the store, or the transaction.
  function run(store, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(store, mode);
        var request = work(Array.isArray(store) ? transaction : transaction.objectStore(store));
        transaction.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function save(entry) { return run(WAITING, "readwrite", function (s) { return s.put(entry); }); }
  function list(store) { return run(store || WAITING, "readonly", function (s) { return s.getAll(); }); }
  function remove(store, key) { return run(store, "readwrite", function (s) { return s.delete(key); }); }

  function markSent(entry, answer) {
    var receipt = { key: entry.key, sent_at: new Date().toISOString() };
    if (answer && answer.worrying && answer.id) receipt.worrying_checkin_id = answer.id;
    return run([WAITING, SENT], "readwrite", function (t) {
      t.objectStore(WAITING).delete(entry.key);
      t.objectStore(SENT).put(receipt);
    });
  }

  // The entries sent since a page last asked; asking clears the receipts.
  function takeReceipts() {
    return run(SENT, "readwrite", function (s) {
      var all = s.getAll();
      s.clear();
      return all;
    });
  }

  function setAside(entry, problems) {
    var kept = { key: entry.key, url: entry.url, body: entry.body, saved_at: entry.saved_at,
                 problems: problems, rejected_at: new Date().toISOString() };
    return run(REJECTED, "readwrite", function (s) { return s.put(kept); })
      .then(function () { return remove(WAITING, entry.key); });
  }

  function freshCsrfToken() {
    return fetch("/api/v1/session", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(); })
      .then(function (session) { return session.signed_in ? session.csrf_token : Promise.reject(); });
  }

  function sendOne(entry, token) {
    var body;
    try {
      body = JSON.parse(entry.body);
    } catch (error) {
      return setAside(entry, { _entry: ["This saved check-in could not be read."] }).then(function () { return "rejected"; });
    }
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.ok) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          return markSent(entry, answer);
        }).then(function () { return "sent"; });
      }
      if (response.status === 422 || response.status === 413) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          var error = answer.error || {};
          return setAside(entry, error.fields || { _entry: [error.message || "The server refused it."] });
        }).then(function () { return "rejected"; });
      }
      return "waiting"; // signed out, rate limited or a server error: try again later
    }, function () { return "waiting"; }); // no network
  }

  var draining = null;
  function drain() {
    if (draining) return draining; // one drain at a time per page or worker
    draining = list(WAITING).then(function (entries) {
      var counts = { sent: 0, rejected: 0, waiting: 0 };
      if (!entries.length) return counts;
      return freshCsrfToken().then(function (token) {
        return entries.reduce(function (previous, entry) {
          return previous.then(function () {
            return sendOne(entry, token).then(function (outcome) { counts[outcome] += 1; });
          });
        }, Promise.resolve()).then(function () { return counts; });
      }, function () { counts.waiting = entries.length; return counts; });
    }).finally(function () { draining = null; });
    return draining;
  }

  function forget() {
    return new Promise(function (resolve) {
      var request = root.indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  root.AftercareOutbox = {
    SYNC_TAG: SYNC_TAG, save: save, waiting: function () { return list(WAITING); },
    rejected: function () { return list(REJECTED); },
    dismiss: function (key) { return remove(REJECTED, key); }, takeReceipts: takeReceipts,
    drain: drain, forget: forget, freshCsrfToken: freshCsrfToken,
  };
})(self);
