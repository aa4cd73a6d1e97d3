// The check-in form: online straight to the API, offline into the outbox (core.js first).
(function () {
  "use strict";
  var A = window.Aftercare;
  var outbox = A.outbox;
  var t = A.t;

  function payloadFrom(form) {
    var data = new FormData(form);
    var payload = {
      client_id: data.get("client_id") || A.newClientId(),
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

  function saveForLater(form, payload) {
    var account = payload.account;
    if (!account) {
      A.status(t("This check-in could not be kept on this phone: please sign in, then check in again."));
      return Promise.resolve(false);
    }
    var body = Object.assign({}, payload);
    delete body.account; // kept beside the entry, added when it is sent
    return outbox.save({ key: payload.client_id, account: account, url: "/api/v1/checkins",
                         body: JSON.stringify(body), saved_at: new Date().toISOString() }).then(function () {
      A.status(t("Saved on this phone; it will be sent when you are back online."),
               { elsewhere: !!form.querySelector("[data-saved]") });
      if (A.registration && A.registration.sync) {
        A.registration.sync.register(outbox.SYNC_TAG).catch(function () { /* drained on the next visit */ });
      }
      return true;
    });
  }

  function lock(form, locked) {
    form.querySelectorAll("input, textarea, button[type=submit]").forEach(function (control) {
      control.disabled = locked;
    });
  }

  // Saved on this phone: the entry stays on screen as it was filled in, locked, and the
  // confirmation beside the button takes the focus (it is where the person is looking).
  // Saving it again is impossible; "New check-in" starts another one, with a new client_id.
  function showSaved(form) {
    var box = form.querySelector("[data-saved]");
    lock(form, true);
    if (!box) return;
    var when = new Date().toLocaleTimeString(A.locales, { hour: "2-digit", minute: "2-digit" });
    box.querySelector("[data-saved-message]").textContent =
      t("Saved on this phone at %(time)s. It will be sent when you are back online.", { time: when });
    box.hidden = false;
    box.querySelector("[data-saved-message]").focus();
  }

  document.addEventListener("click", function (event) {
    var again = event.target.closest("[data-new-checkin]");
    if (!again) return;
    var form = again.closest("form");
    lock(form, false);
    form.reset();
    var hidden = form.querySelector("input[name=client_id]");
    if (hidden) hidden.value = A.newClientId();
    form.querySelector("[data-saved]").hidden = true;
    summarise(form);
    var first = form.querySelector("input[name=mood]");
    if (first) first.focus();
  });

  // The side-effect list's one line says what it holds: "No side effects" until one is rated.
  // One message for one, another for more: English and Spanish count alike (n != 1).
  function summarise(form) {
    var list = form.querySelector("details[data-side-effects]");
    if (!list) return;
    var rated = list.querySelectorAll("input[type=radio]:checked:not([value='0'])").length;
    var line = list.querySelector("[data-summary]");
    if (!line.dataset.none) line.dataset.none = line.textContent;
    line.textContent = !rated ? line.dataset.none : rated === 1 ? t("%(count)s side effect chosen", { count: rated })
      : t("%(count)s side effects chosen", { count: rated });
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-checkin]");
    if (form) summarise(form);
  });

  // A fresh token: this page may be the offline copy, stored with an old one.
  function send(payload) {
    return A.currentAccount().then(function (account) {
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
  }

  function keep(form, payload) {
    return saveForLater(form, payload).then(function (saved) {
      form.dataset.submitting = "";
      if (saved) showSaved(form);
    });
  }

  function answered(form, payload, response) {
    if (response.ok) {
      return response.json().then(function (checkin) { window.location.assign("/checkins/" + checkin.id); });
    }
    if (response.status >= 500) return keep(form, payload);
    form.dataset.submitting = "";
    if (response.status === 409) { // this page is another account's: never filed under this one
      A.status(t("Someone else is signed in on this phone now, so this check-in was not sent. Sign in as yourself and check in again."));
      return;
    }
    form.submit(); // 4xx: the server-rendered form shows what to fix
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-checkin]") || !outbox) return;
    event.preventDefault();
    if (!form.querySelector("input[name=mood]:checked")) {
      form.submit(); // let the server say what is missing, beside the question
      return;
    }
    var payload = payloadFrom(form);
    var hidden = form.querySelector("input[name=client_id]");
    if (hidden) hidden.value = payload.client_id; // a retry of this form is the same check-in
    form.dataset.submitting = "1";
    send(payload).then(function (response) { return answered(form, payload, response); },
                       function () { return keep(form, payload); });
  });
})();
