// What the outbox did, on the pages that show it: drained on start, when back online and when
// the page is shown again; sent, waiting, or not accepted and why. Sign-out warns first about
// check-ins not sent yet (core.js first).
(function () {
  "use strict";
  var A = window.Aftercare;
  var outbox = A.outbox;
  var t = A.t;

  // Reads the outbox itself rather than one drain's counts: the service worker and another
  // tab drain too, and their messages reach only the pages open at that moment.
  function report() {
    if (!outbox || !document.getElementById("outbox-status")) return; // receipts wait for a page that shows them
    A.currentAccount().then(function (account) {
      return Promise.all([outbox.waitingFor(account), outbox.takeReceipts(account)]);
    }).then(function (found) {
      var receipts = found[1] || [];
      if (found[0].length) A.status(t("Saved on this phone; it will be sent when you are back online."));
      else if (receipts.length) A.status(t("Sent. Thank you."));
      var worrying = receipts.filter(function (r) { return r.worrying_checkin_id; });
      if (worrying.length) showCrisis(worrying[worrying.length - 1].worrying_checkin_id);
    }).catch(function () { /* nothing to say */ });
    showRejected();
  }
  A.report = report;

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
    if (!outbox || A.revoked || !document.getElementById("outbox-status")) return;
    outbox.drain().then(report).catch(function () { /* stays in the outbox */ });
  }

  // The server's words come in the patient's language; the outbox's own (outbox.js) are
  // translated here, when shown.
  function rejectedItem(entry) {
    var li = document.createElement("li");
    var problems = Object.keys(entry.problems || {}).map(function (field) {
      return field.replace(/^_/, "") + ": " + [].concat(entry.problems[field]).map(function (words) {
        return t(String(words));
      }).join(" ");
    }).join("; ");
    li.textContent = t("Saved %(when)s — not accepted: %(problems)s",
                       { when: new Date(entry.saved_at).toLocaleString(A.locales), problems: problems }) + " ";
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link-button";
    dismiss.textContent = t("Remove");
    dismiss.addEventListener("click", function () { outbox.dismiss(entry.key).then(showRejected); });
    li.appendChild(dismiss);
    return li;
  }

  function showRejected() {
    var list = document.getElementById("outbox-rejected");
    if (!list || !outbox) return;
    A.currentAccount().then(function (account) { return outbox.rejected(account); }).then(function (entries) {
      list.hidden = !entries.length;
      var items = list.querySelector("ul");
      items.textContent = "";
      entries.forEach(function (entry) { items.appendChild(rejectedItem(entry)); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-logout]") || !outbox) return;
    event.preventDefault();
    outbox.waitingFor(A.pageAccount).catch(function () { return []; }).then(function (waiting) {
      if (waiting.length && !window.confirm(t("%(count)s check-in(s) are not sent yet. Signing out deletes them from this phone. Sign out anyway?",
                                              { count: waiting.length }))) return;
      A.forgetEverything().then(function () { form.submit(); });
    });
  });

  window.addEventListener("online", drain);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") drain(); });
  if (!A.revoked) {
    drain();
    showRejected();
  }
})();
