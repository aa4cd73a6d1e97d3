// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var outbox = window.AftercareOutbox;
  // Whose page this is: the opaque account value the server gives a signed-in patient's
  // pages. The stored offline page has none; the outbox remembers whose phone it was.
  var pageAccount = document.body.dataset.account || "";
  var revoked = outbox && document.body.dataset.signedOut === outbox.REVOKED;
  if (outbox && pageAccount) outbox.remember(pageAccount).catch(function () { /* private mode */ });
  if (revoked) forgetEverything(); // signed out from elsewhere: nothing of theirs stays here

  function currentAccount() {
    if (pageAccount) return Promise.resolve(pageAccount);
    return outbox.knownAccount().catch(function () { return null; });
  }

  function status(text) {
    var box = document.getElementById("outbox-status");
    if (!box) return;
    box.hidden = !text;
    box.textContent = text || "";
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  // ---- service worker -------------------------------------------------------------
  var registration = null;
  if ("serviceWorker" in navigator && document.body.dataset.role === "patient") {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (r) { registration = r; });
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox" && outbox) report();
    });
  }

  // ---- check-in: online straight to the API, offline into the outbox ----------------
  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  function payloadFrom(form) {
    var data = new FormData(form);
    var payload = {
      client_id: data.get("client_id") || newClientId(),
      taken_at: new Date().toISOString(),
      note: data.get("note") || "",
      symptoms: [],
    };
    if (data.get("mood") !== null) payload.mood = Number(data.get("mood"));
    form.querySelectorAll("fieldset[data-symptom]").forEach(function (set) {
      var code = set.dataset.symptom;
      var chosen = data.get("symptom-" + code);
      if (chosen === null) return;
      var item = { code: code, severity: Number(chosen) };
      if (code === "other") item.detail = data.get("other-detail") || "";
      payload.symptoms.push(item);
    });
    if (data.get("home_safely") === "yes" || data.get("home_safely") === "no") {
      payload.home_safely = data.get("home_safely") === "yes";
    }
    return payload;
  }

  function saveForLater(payload) {
    var account = payload.account;
    if (!account) {
      status("This check-in could not be kept on this phone: please sign in, then check in again.");
      return Promise.resolve(false);
    }
    var body = Object.assign({}, payload);
    delete body.account; // kept beside the entry, added when it is sent
    return outbox.save({ key: payload.client_id, account: account, url: "/api/v1/checkins",
                         body: JSON.stringify(body), saved_at: new Date().toISOString() }).then(function () {
      status("Saved on this phone; it will be sent when you are back online.");
      if (registration && registration.sync) {
        registration.sync.register(outbox.SYNC_TAG).catch(function () { /* drained on the next visit */ });
      }
      return true;
    });
  }

  // Saved on this phone: the entry stays on screen as it was filled in, locked, and the
  // confirmation beside the button takes the focus (it is where the person is looking).
  // Saving it again is impossible; "New check-in" starts another one, with a new client_id.
  function showSaved(form) {
    var box = form.querySelector("[data-saved]");
    form.querySelectorAll("input, textarea, button[type=submit]").forEach(function (control) {
      control.disabled = true;
    });
    if (!box) return;
    var when = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    box.querySelector("[data-saved-message]").textContent =
      "Saved on this phone at " + when + ". It will be sent when you are back online.";
    box.hidden = false;
    box.querySelector("[data-saved-message]").focus();
  }

  document.addEventListener("click", function (event) {
    var again = event.target.closest("[data-new-checkin]");
    if (!again) return;
    var form = again.closest("form");
    form.querySelectorAll("input, textarea, button[type=submit]").forEach(function (control) {
      control.disabled = false;
    });
    form.reset();
    var hidden = form.querySelector("input[name=client_id]");
    if (hidden) hidden.value = newClientId();
    form.querySelector("[data-saved]").hidden = true;
    summarise(form);
    var first = form.querySelector("input[name=mood]");
    if (first) first.focus();
  });

  // The side-effect list's one line says what it holds: "No side effects" until one is rated.
  function summarise(form) {
    var list = form.querySelector("details[data-side-effects]");
    if (!list) return;
    var rated = list.querySelectorAll("input[type=radio]:checked:not([value='0'])").length;
    var line = list.querySelector("[data-summary]");
    if (!line.dataset.none) line.dataset.none = line.textContent;
    line.textContent = rated ? rated + (rated === 1 ? " side effect" : " side effects") + " chosen" : line.dataset.none;
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-checkin]");
    if (form) summarise(form);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.submitting === "1") { event.preventDefault(); return; }
    if (form.matches("form[data-checkin]") && outbox) {
      event.preventDefault();
      if (!form.querySelector("input[name=mood]:checked")) {
        form.submit(); // let the server say what is missing, beside the question
        return;
      }
      var payload = payloadFrom(form);
      var hidden = form.querySelector("input[name=client_id]");
      if (hidden) hidden.value = payload.client_id; // a retry of this form is the same check-in
      form.dataset.submitting = "1";
      // A fresh token: this page may be the offline copy, stored with an old one.
      var send = currentAccount().then(function (account) {
        payload.account = account || "";
        if (navigator.onLine === false) throw new TypeError("offline");
        return outbox.freshCsrfToken();
      }).then(function (token) {
          return fetch("/api/v1/checkins", {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": token },
            body: JSON.stringify(payload),
          });
        });
      send.then(function (response) {
        if (response.ok) {
          return response.json().then(function (checkin) { window.location.assign("/checkins/" + checkin.id); });
        }
        if (response.status >= 500 || response.status === 503) {
          return saveForLater(payload).then(function (saved) {
            form.dataset.submitting = "";
            if (saved) showSaved(form);
          });
        }
        form.dataset.submitting = "";
        if (response.status === 409) { // this page is another account's: never filed under this one
          status("Someone else is signed in on this phone now, so this check-in was not sent. Sign in as yourself and check in again.");
          return;
        }
        form.submit(); // 4xx: the server-rendered form shows what to fix
      }, function () {
        return saveForLater(payload).then(function (saved) {
          form.dataset.submitting = "";
          if (saved) showSaved(form);
        });
      });
      return;
    }
    if (form.matches("form[data-logout]") && outbox) {
      event.preventDefault();
      outbox.waitingFor(pageAccount).catch(function () { return []; }).then(function (waiting) {
        if (waiting.length && !window.confirm(waiting.length + " check-in(s) are not sent yet. Signing out deletes them from this phone. Sign out anyway?")) return;
        forgetEverything().then(function () { form.submit(); });
      });
      return;
    }
    form.dataset.submitting = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
  });

  function forgetEverything() {
    var work = [outbox ? outbox.forget() : Promise.resolve()];
    if (window.caches) work.push(caches.keys().then(function (names) { return Promise.all(names.map(function (n) { return caches.delete(n); })); }));
    if (revoked && navigator.serviceWorker) {
      work.push(navigator.serviceWorker.getRegistrations().then(function (all) {
        return Promise.all(all.map(function (r) { return r.unregister(); }));
      }).catch(function () { /* none */ }));
    }
    return Promise.all(work);
  }

  // ---- draining: on start, when back online, when the page is shown again -------------
  // Reads the outbox itself rather than one drain's counts: the service worker and another
  // tab drain too, and their messages reach only the pages open at that moment.
  function report() {
    if (!document.getElementById("outbox-status")) return; // receipts wait for a page that shows them
    currentAccount().then(function (account) {
      return Promise.all([outbox.waitingFor(account), outbox.takeReceipts(account)]);
    }).then(function (found) {
      var receipts = found[1] || [];
      if (found[0].length) status("Saved on this phone; it will be sent when you are back online.");
      else if (receipts.length) status("Sent. Thank you.");
      var worrying = receipts.filter(function (r) { return r.worrying_checkin_id; });
      if (worrying.length) showCrisis(worrying[worrying.length - 1].worrying_checkin_id);
    }).catch(function () { /* nothing to say */ });
    showRejected();
  }

  // A worrying check-in sent from the outbox: the crisis and clinic contacts go first on this
  // page, as the check-in's own page shows them (one wording, rendered by the server, which
  // also knows whether the clinic has been alerted). Without it, that page itself.
  function showCrisis(checkinId) {
    var url = "/checkins/" + encodeURIComponent(checkinId);
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok) throw new Error("not shown");
      return response.text();
    }).then(function (html) {
      var found = new DOMParser().parseFromString(html, "text/html").querySelector("section.crisis");
      var main = document.getElementById("main");
      if (!found || !main) throw new Error("not shown");
      var old = document.querySelector("main section.crisis");
      if (old) old.remove();
      var block = document.importNode(found, true);
      main.insertBefore(block, main.firstChild);
      var heading = block.querySelector("h1, h2");
      if (heading) heading.focus();
      window.scrollTo(0, 0);
    }).catch(function () { window.location.assign(url); });
  }

  function drain() {
    if (!outbox || revoked || !document.getElementById("outbox-status")) return;
    outbox.drain().then(report).catch(function () { /* stays in the outbox */ });
  }

  function showRejected() {
    var list = document.getElementById("outbox-rejected");
    if (!list || !outbox) return;
    currentAccount().then(function (account) { return outbox.rejected(account); }).then(function (entries) {
      list.hidden = !entries.length;
      var items = list.querySelector("ul");
      items.textContent = "";
      entries.forEach(function (entry) {
        var li = document.createElement("li");
        var problems = Object.keys(entry.problems || {}).map(function (field) {
          return field.replace(/^_/, "") + ": " + [].concat(entry.problems[field]).join(" ");
        }).join("; ");
        li.textContent = "Saved " + new Date(entry.saved_at).toLocaleString() + " — not accepted: " + problems + " ";
        var dismiss = document.createElement("button");
        dismiss.type = "button";
        dismiss.className = "link-button";
        dismiss.textContent = "Remove";
        dismiss.addEventListener("click", function () { outbox.dismiss(entry.key).then(showRejected); });
        li.appendChild(dismiss);
        items.appendChild(li);
      });
    });
  }

  window.addEventListener("online", drain);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") drain(); });
  if (!revoked) {
    drain();
    showRejected();
  }

  // ---- reminders (push) opt-in: a button, never a prompt on page load ------------------
  var remind = document.getElementById("reminders");
  if (remind) setUpReminders(remind);

  function setUpReminders(box) {
    var button = box.querySelector("button");
    var say = function (text) { box.querySelector("[data-message]").textContent = text; };
    var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone;
    var ios = /iphone|ipad|ipod/i.test(navigator.userAgent);
    box.hidden = false;
    if (ios && !standalone) {
      button.hidden = true;
      say("On iPhone, reminders need Aftercare on your home screen first: tap Share, then \"Add to Home Screen\", and open it from there.");
      return;
    }
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      button.hidden = true;
      say("This browser cannot show reminders. Your due check-ins always appear on this page.");
      return;
    }
    if (Notification.permission === "denied") {
      say("Reminders are blocked for this site. To turn them on, allow notifications for Aftercare in your browser or phone settings.");
    }
    navigator.serviceWorker.ready.then(function (r) { return r.pushManager.getSubscription(); }).then(function (existing) {
      if (!existing) return;
      button.textContent = "Reminders are on";
      button.disabled = true;
      // Saved again once per visit: the server ties it to this signed-in session, so signing
      // this device out stops its reminders (and one saved before that is tied again).
      if (window.sessionStorage && sessionStorage.getItem("push-saved") === pageAccount) return;
      saveSubscription(existing).then(function (response) {
        if (response.ok && window.sessionStorage) sessionStorage.setItem("push-saved", pageAccount);
      }).catch(function () { /* tried again on the next visit */ });
    });
    button.addEventListener("click", function () {
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          say("Without permission Aftercare cannot remind you. Your due check-ins always appear on this page, and you can allow notifications later in your settings.");
          return null;
        }
        return Promise.all([
          fetch("/api/v1/push/public-key", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : Promise.reject(); }),
          navigator.serviceWorker.ready,
        ]).then(function (parts) {
          return parts[1].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(parts[0].public_key) });
        }).then(saveSubscription).then(function (response) {
          if (!response.ok) throw new Error("not saved");
          button.textContent = "Reminders are on";
          button.disabled = true;
          say("You will get a reminder when a check-in is due.");
        });
      }).catch(function () { say("Reminders could not be turned on just now. Please try again later."); });
    });
  }

  function saveSubscription(subscription) {
    return fetch("/api/v1/push-subscriptions", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(subscription.toJSON()),
    });
  }

  function base64UrlToBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  // "Copy link" buttons on the setup-link pages.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Copied";
    });
  });
})();
