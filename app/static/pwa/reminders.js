// Reminders (web push) on this device: a button, never a prompt on page load. The section
// says which of four states it is in (on, off, not supported, blocked) and turns them off too:
// the browser unsubscribes and the server forgets this device. Nothing waits in silence: the
// push service and the server each get data-timeout-ms before the page says it could not
// reach them (core.js first).
(function () {
  "use strict";
  var A = window.Aftercare;
  var t = A.t;
  var STATES = {
    on: t("Reminders are on on this device."),
    off: t("Reminders are off on this device."),
    unsupported: t("This browser cannot show reminders. Your due check-ins always appear on this page."),
    blocked: t("Reminders are blocked by your browser. To turn them on, allow notifications for Aftercare in your browser or phone settings."),
    homescreen: t("On iPhone, reminders need Aftercare on your home screen first: tap Share, then \"Add to Home Screen\", and open it from there."),
  };
  var UNREACHABLE = t("The reminder service could not be reached, so reminders are still off. Check your connection and try again later; your due check-ins always appear on this page.");
  var SERVER_UNREACHABLE = t("Aftercare could not be reached, so nothing was changed. Check your connection and try again later.");

  function timeout(promise, ms, what) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject({ timedOut: what }); }, ms);
      promise.then(function (value) { clearTimeout(timer); resolve(value); },
                   function (error) { clearTimeout(timer); reject(error); });
    });
  }

  function Reminders(box) {
    this.box = box;
    this.ms = Number(box.dataset.timeoutMs) || 15000;
    this.on = box.querySelector("[data-turn-on]");
    this.off = box.querySelector("[data-turn-off]");
  }

  Reminders.prototype.show = function (state, message) {
    this.box.dataset.state = state;
    this.box.querySelector("[data-state-text]").textContent = STATES[state];
    this.on.hidden = state !== "off";
    this.off.hidden = state !== "on";
    this.on.disabled = this.off.disabled = false;
    this.say(message || "");
  };

  Reminders.prototype.say = function (text) {
    this.box.querySelector("[data-message]").textContent = text;
  };

  Reminders.prototype.busy = function (button, text) {
    button.disabled = true;
    this.say(text);
  };

  Reminders.prototype.subscription = function () {
    return timeout(navigator.serviceWorker.ready.then(function (r) { return r.pushManager.getSubscription(); }),
                   this.ms, "push");
  };

  Reminders.prototype.call = function (method, body) {
    return timeout(fetch("/api/v1/push-subscriptions", {
      method: method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": A.csrfToken() },
      body: JSON.stringify(body),
    }), this.ms, "server").catch(function (error) {
      throw error && error.timedOut ? error : { timedOut: "server" }; // offline: the same words
    });
  };

  // Saved again once per visit: the server ties it to this signed-in session, so signing
  // this device out stops its reminders (and one saved before that is tied again).
  Reminders.prototype.saveAgain = function (existing) {
    if (window.sessionStorage && sessionStorage.getItem("push-saved") === A.pageAccount) return;
    this.call("POST", existing.toJSON()).then(function (response) {
      if (response.ok && window.sessionStorage) sessionStorage.setItem("push-saved", A.pageAccount);
    }).catch(function () { /* tried again on the next visit */ });
  };

  Reminders.prototype.start = function () {
    var self = this;
    var standalone = window.matchMedia("(display-mode: standalone)").matches || navigator.standalone;
    if (/iphone|ipad|ipod/i.test(navigator.userAgent) && !standalone) return this.show("homescreen");
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      return this.show("unsupported");
    }
    if (Notification.permission === "denied") return this.show("blocked");
    this.show("off");
    this.subscription().then(function (existing) {
      if (!existing) return;
      self.show("on");
      self.saveAgain(existing);
    }).catch(function () { /* stays off: turning them on says what went wrong */ });
    this.on.addEventListener("click", function () { self.turnOn(); });
    this.off.addEventListener("click", function () { self.turnOff(); });
  };

  Reminders.prototype.subscribe = function () {
    var ms = this.ms;
    return timeout(Promise.all([
      fetch("/api/v1/push/public-key", { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json() : Promise.reject({});
      }, function () { return Promise.reject({ timedOut: "server" }); }), // offline: the same words
      navigator.serviceWorker.ready,
    ]), ms, "server").then(function (parts) {
      return timeout(parts[1].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(parts[0].public_key) }),
                     ms, "push");
    });
  };

  Reminders.prototype.turnOn = function () {
    var self = this;
    this.busy(this.on, t("Turning reminders on…"));
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        self.show(permission === "denied" ? "blocked" : "off",
                  t("Without permission Aftercare cannot remind you. Your due check-ins always appear on this page."));
        return;
      }
      return self.subscribe().then(function (subscription) {
        return self.call("POST", subscription.toJSON()).then(function (response) {
          if (!response.ok) throw new Error("not saved");
          self.show("on", t("You will get a reminder when a check-in is due."));
        }).catch(function (error) {
          subscription.unsubscribe().catch(function () { /* gone with the page */ });
          throw error; // not saved: not on, so not shown as on
        });
      });
    }).catch(function (error) { self.failed(error, "off"); });
  };

  Reminders.prototype.turnOff = function () {
    var self = this;
    this.busy(this.off, t("Turning reminders off…"));
    this.subscription().then(function (existing) {
      if (!existing) return self.show("off", t("Reminders are off."));
      // The server first: while it still has this device, reminders are not off.
      return self.call("DELETE", { endpoint: existing.endpoint }).then(function (response) {
        if (!response.ok && response.status !== 404) throw new Error("not removed");
        return existing.unsubscribe();
      }).then(function () {
        if (window.sessionStorage) sessionStorage.removeItem("push-saved");
        self.show("off", t("Reminders are off. You can turn them on again here at any time."));
      });
    }).catch(function (error) { self.failed(error, "on"); });
  };

  Reminders.prototype.failed = function (error, state) {
    var reason = error && error.timedOut;
    var text = reason === "push" ? UNREACHABLE : reason === "server" ? SERVER_UNREACHABLE
      : t("Reminders could not be changed just now. Please try again later.");
    if (reason === "push" && state === "on") text = t("The reminder service could not be reached, so reminders are still on. Please try again later.");
    this.show(state, text);
  };

  function base64UrlToBytes(text) {
    var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  var box = document.getElementById("reminders");
  if (box) new Reminders(box).start();
})();
