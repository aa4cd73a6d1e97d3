/* Passkeys: the browser's own WebAuthn API (navigator.credentials) between the server's
   options and its check. Served by the app (CSP script-src 'self'); no library. */
(function () {
  "use strict";
  var t = window.Aftercare.t;

  function toBuffer(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": csrfToken()},
      body: JSON.stringify(body || {})
    });
  }

  function say(text) {
    var box = document.querySelector("[data-passkey-status]");
    if (box) { box.hidden = false; box.textContent = text; }
  }

  // A step-up or a required set-up answers with a redirect to a page: go there.
  function json(response) {
    if (response.redirected) { window.location.href = response.url; return Promise.reject(null); }
    return response.json().then(function (body) {
      if (!response.ok) throw new Error((body.error && body.error.message) || t("That did not work."));
      return body;
    });
  }

  function descriptors(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, {id: toBuffer(c.id)}); });
  }

  function credentialJSON(credential) {
    var r = credential.response, out = {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(), response: {
        clientDataJSON: toText(r.clientDataJSON)}};
    if (credential.authenticatorAttachment) out.authenticatorAttachment = credential.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      if (r.userHandle) out.response.userHandle = toText(r.userHandle);
    }
    return out;
  }

  function failed(error) {
    if (error === null) return;  // leaving for another page
    say(error && error.name === "NotAllowedError" ? t("The passkey was not used. Try again.")
        : (error && error.message) || t("That did not work."));
  }

  function register(form) {
    var name = form.querySelector("[name=name]").value.trim();
    if (!name) { say(t("Give the passkey a name, such as the device it is on.")); return; }
    post(form.dataset.options).then(json).then(function (options) {
      options.challenge = toBuffer(options.challenge);
      options.user.id = toBuffer(options.user.id);
      options.excludeCredentials = descriptors(options.excludeCredentials);
      return navigator.credentials.create({publicKey: options});
    }).then(function (credential) {
      return post(form.action, {name: name, credential: credentialJSON(credential)});
    }).then(json).then(function (body) { window.location.href = body.redirect; }).catch(failed);
  }

  function signIn(button) {
    post(button.dataset.options).then(json).then(function (options) {
      options.challenge = toBuffer(options.challenge);
      options.allowCredentials = descriptors(options.allowCredentials);
      return navigator.credentials.get({publicKey: options});
    }).then(function (credential) {
      return post(button.dataset.action + window.location.search,
                  {credential: credentialJSON(credential)});
    }).then(json).then(function (body) { window.location.href = body.redirect; }).catch(failed);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var supported = !!(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("[data-passkeys]").forEach(function (part) { part.hidden = !supported; });
    document.querySelectorAll("[data-passkeys-unsupported]").forEach(function (part) { part.hidden = supported; });
    document.querySelectorAll("form[data-passkey-register]").forEach(function (form) {
      form.addEventListener("submit", function (event) { event.preventDefault(); register(form); });
    });
    document.querySelectorAll("button[data-passkey-signin]").forEach(function (button) {
      button.addEventListener("click", function () { signIn(button); });
    });
  });
})();
