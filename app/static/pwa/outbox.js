/* The offline outbox: check-ins saved on the phone until the server has them.
 * Shared by the pages and the service worker (importScripts). Entries are keyed by the
 * check-in's client_id, so a replay is harmless: the server stores each client_id once.
 * A refused or unreadable entry is kept aside with what was wrong, never retried forever.
 * A sent entry leaves a receipt (its key and when; for a worrying check-in also its id, so
 * the page can show the crisis and clinic contacts the server answered with), so whichever
 * page opens next can say "Sent", and show those contacts, even when the service worker sent
 * it while no page was listening.
 * Each entry is bound to the account that saved it (the opaque `account` value the server
 * gives signed-in pages and GET /api/v1/session) and declares it when sent: it is only ever
 * sent while that same account is signed in, and the server refuses it otherwise. A device
 * whose session was ended from elsewhere (lost phone: "sign out everywhere", a revoked device,
 * a deactivated account) forgets every saved entry and cache at its next contact. */
(function (root) {
  "use strict";
  var DB_NAME = "aftercare";
  var WAITING = "outbox";
  var REJECTED = "rejected";
  var SENT = "sent";
  var DEVICE = "device"; // whose phone this is, as last seen online: {key: "account", value}
  var REVOKED = "session_revoked";
  var SYNC_TAG = "checkin-outbox";

  // Marks the outbox's own words for the catalog: they are stored with an entry set aside
  // and translated when a page shows them (receipts.js), as app/i18n.py's N_ does in Python.
  function N_(text) { return text; }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 3);
      request.onupgradeneeded = function () {
        [WAITING, REJECTED, SENT, DEVICE].forEach(function (name) {
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

  function save(entry) {
    if (!entry.account) return Promise.reject(new Error("an entry must say whose it is"));
    return run(WAITING, "readwrite", function (s) { return s.put(entry); });
  }
  function list(store) { return run(store || WAITING, "readonly", function (s) { return s.getAll(); }); }
  function remove(store, key) { return run(store, "readwrite", function (s) { return s.delete(key); }); }

  function markSent(entry, answer) {
    var receipt = { key: entry.key, account: entry.account, sent_at: new Date().toISOString() };
    if (answer && answer.worrying && answer.id) receipt.worrying_checkin_id = answer.id;
    return run([WAITING, SENT], "readwrite", function (t) {
      t.objectStore(WAITING).delete(entry.key);
      t.objectStore(SENT).put(receipt);
    });
  }

  // This account's entries sent since a page last asked; asking clears the receipts.
  function takeReceipts(account) {
    return run(SENT, "readwrite", function (s) {
      var all = s.getAll();
      s.clear();
      return all;
    }).then(function (all) {
      return (all || []).filter(function (receipt) { return account && receipt.account === account; });
    });
  }

  function setAside(entry, problems) {
    var kept = { key: entry.key, account: entry.account, url: entry.url, body: entry.body, saved_at: entry.saved_at,
                 problems: problems, rejected_at: new Date().toISOString() };
    return run(REJECTED, "readwrite", function (s) { return s.put(kept); })
      .then(function () { return remove(WAITING, entry.key); });
  }

  // The account signed in on this device when it was last online (for the offline page),
  // and, when a page says it, their language (the service worker's words and offline page).
  function remember(account, language) {
    return run(DEVICE, "readwrite", function (s) {
      if (language) s.put({ key: "language", value: language });
      return s.put({ key: "account", value: account });
    });
  }
  function knownLanguage() {
    return run(DEVICE, "readonly", function (s) { return s.get("language"); })
      .then(function (row) { return row ? row.value : null; });
  }
  function knownAccount() {
    return run(DEVICE, "readonly", function (s) { return s.get("account"); })
      .then(function (row) { return row ? row.value : null; });
  }

  // Signed out from elsewhere: nothing saved on this device may outlive that.
  function forgetIfRevoked(session) {
    if (session && session.signed_out === REVOKED) {
      return forget().then(function () { return Promise.reject(new Error(REVOKED)); });
    }
    return session;
  }

  function freshSession() {
    return fetch("/api/v1/session", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(); })
      .then(forgetIfRevoked);
  }

  function freshCsrfToken() {
    return freshSession().then(function (session) { return session.signed_in ? session.csrf_token : Promise.reject(); });
  }

  function sendOne(entry, token, account) {
    if (entry.account !== account) return Promise.resolve("other"); // never under another account
    var body;
    try {
      body = JSON.parse(entry.body);
      body.account = entry.account;
    } catch (error) {
      return setAside(entry, { _entry: [N_("This saved check-in could not be read.")] }).then(function () { return "rejected"; });
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
          return setAside(entry, error.fields || { _entry: [error.message || N_("The server refused it.")] });
        }).then(function () { return "rejected"; });
      }
      if (response.status === 401 || response.status === 409) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          var reason = (answer.error || {}).reason;
          if (reason === REVOKED) return forget().then(function () { return "cleared"; });
          return reason === "account_mismatch" ? "other" : "waiting";
        });
      }
      return "waiting"; // signed out, rate limited or a server error: try again later
    }, function () { return "waiting"; }); // no network
  }

  var draining = null;
  function drain() {
    if (draining) return draining; // one drain at a time per page or worker
    draining = list(WAITING).then(function (entries) {
      var counts = { sent: 0, rejected: 0, waiting: 0, other: 0, cleared: 0 };
      // Asked even with nothing waiting: this contact may be the one that says "revoked".
      return freshSession().then(function (session) {
        if (!session.signed_in || !session.account) { counts.waiting = entries.length; return counts; }
        return remember(session.account).then(function () {
          return entries.reduce(function (previous, entry) {
            return previous.then(function () {
              if (counts.cleared) return;
              return sendOne(entry, session.csrf_token, session.account).then(function (outcome) { counts[outcome] += 1; });
            });
          }, Promise.resolve());
        }).then(function () { return counts; });
      }, function (error) {
        if (error && error.message === REVOKED) counts.cleared = entries.length;
        else counts.waiting = entries.length;
        return counts;
      });
    }).finally(function () { draining = null; });
    return draining;
  }

  // Saved entries, receipts and caches: all of it, for sign-out and revoked sessions.
  function forget() {
    var work = [new Promise(function (resolve) {
      var request = root.indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    })];
    if (root.caches) {
      work.push(root.caches.keys().then(function (names) {
        return Promise.all(names.map(function (name) { return root.caches.delete(name); }));
      }).catch(function () { /* nothing cached */ }));
    }
    return Promise.all(work);
  }

  // The entries saved by this account (another account's wait for it, never shown here).
  function waitingFor(account) {
    return list(WAITING).then(function (entries) {
      return entries.filter(function (entry) { return account && entry.account === account; });
    });
  }

  root.AftercareOutbox = {
    SYNC_TAG: SYNC_TAG, REVOKED: REVOKED, save: save, waiting: function () { return list(WAITING); },
    waitingFor: waitingFor, remember: remember, knownAccount: knownAccount, knownLanguage: knownLanguage,
    rejected: function (account) {
      return list(REJECTED).then(function (entries) {
        return entries.filter(function (entry) { return account && entry.account === account; });
      });
    },
    dismiss: function (key) { return remove(REJECTED, key); }, takeReceipts: takeReceipts,
    drain: drain, forget: forget, freshCsrfToken: freshCsrfToken, freshSession: freshSession,
  };
})(self);
