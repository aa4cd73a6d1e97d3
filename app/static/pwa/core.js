// Progressive enhancement only: every page works without the app's scripts. This one holds
// what the others share (window.Aftercare); app/pwa/assets.py lists them in load order.
(function () {
  "use strict";
  var outbox = window.AftercareOutbox;
  var A = window.Aftercare = {
    outbox: outbox,
    // Whose page this is: the opaque account value the server gives a signed-in patient's
    // pages. The stored offline page has none; the outbox remembers whose phone it was.
    pageAccount: document.body.dataset.account || "",
    revoked: !!(outbox && document.body.dataset.signedOut === outbox.REVOKED),
    registration: null,
    report: function () { /* set by receipts.js */ },
    language: document.documentElement.lang || "en",
  };

  // The scripts' words in the page's language: t("English text", {name: value}). A page in
  // another language than English loads their translations first (window.AftercareWords:
  // /pwa/words/<language>.js, app/pwa/script_words.py); English needs none. The placeholders
  // are the catalog's own, %(name)s.
  var words = window.AftercareWords || {};
  A.t = function (text, values) {
    var said = Object.prototype.hasOwnProperty.call(words, text) ? words[text] : text;
    return said.replace(/%\((\w+)\)s/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  };
  // Times in the page's language ([] leaves an English page to the browser's own format).
  A.locales = A.language === "en" ? [] : [A.language];

  A.currentAccount = function () {
    if (A.pageAccount) return Promise.resolve(A.pageAccount);
    return outbox.knownAccount().catch(function () { return null; });
  };

  // The status line, read out by screen readers. ``options.elsewhere``: the page already shows
  // these words where the person is looking (the check-in form's "Saved on this phone" box), so
  // the line is read out but not drawn, and the page does not shift down under their finger.
  A.status = function (text, options) {
    var box = document.getElementById("outbox-status");
    if (!box) return;
    box.hidden = !text;
    box.classList.toggle("visually-hidden", !!(text && options && options.elsewhere));
    box.textContent = text || "";
  };

  A.csrfToken = function () {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  };

  A.newClientId = function () {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  };

  A.forgetEverything = function () {
    var work = [outbox ? outbox.forget() : Promise.resolve()];
    if (window.caches) work.push(caches.keys().then(function (names) { return Promise.all(names.map(function (n) { return caches.delete(n); })); }));
    if (A.revoked && navigator.serviceWorker) {
      work.push(navigator.serviceWorker.getRegistrations().then(function (all) {
        return Promise.all(all.map(function (r) { return r.unregister(); }));
      }).catch(function () { /* none */ }));
    }
    return Promise.all(work);
  };

  // Whose phone this is, and their language: the service worker speaks it too (sw.js).
  if (outbox && A.pageAccount) outbox.remember(A.pageAccount, A.language).catch(function () { /* private mode */ });
  if (A.revoked) A.forgetEverything(); // signed out from elsewhere: nothing of theirs stays here

  // ---- service worker -------------------------------------------------------------
  if ("serviceWorker" in navigator && document.body.dataset.role === "patient") {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (r) { A.registration = r; });
    // Its offline page in this patient's language (the worker keeps that one only).
    if (A.pageAccount) {
      navigator.serviceWorker.ready.then(function (r) {
        if (r.active) r.active.postMessage({ type: "language", language: A.language });
      });
    }
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox" && outbox) A.report();
    });
  }

  // A form already on its way is not sent again (the first submit listener: it runs before
  // the check-in's and sign-out's own, and app.js locks every other form as it goes).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.submitting !== "1") return;
    event.preventDefault();
    event.stopImmediatePropagation();
  });
})();
