// Signing a registry result in the browser (custody/keyfile.py's format, DESIGN §5): the key
// file is opened here with the passphrase (libsodium: Argon2id with the file's own cost, then
// XSalsa20-Poly1305 secretbox, nonce first), the act is signed with Ed25519 over
// "custody/act/v1\0" || JCS(act), and only the act and its signature are sent. A wrong
// passphrase fails the secretbox's tag: nothing is sent.
"use strict";
(() => {
  const { b64, actMessage, openKey } = window.custodyKeys;  // static/web/keys.js

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("sign");
    if (!form) return;
    const out = document.getElementById("sign-result");
    const say = (text, ok) => { out.textContent = text; out.className = ok ? "done" : "problem"; };
    // The case's own message stays until the person types or picks another result: a field
    // left invalid would stop the next submit before this page's check runs.
    const clearCase = () => form.elements.case.setCustomValidity("");
    form.elements.case.addEventListener("input", clearCase);
    form.addEventListener("change", clearCase);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      // A match names its case (R4): checked here, before the key is opened, with the page's
      // own words rather than the server's answer after signing.
      const caseField = form.elements.case;
      caseField.setCustomValidity("");
      if (form.elements.result.value === "match" && !caseField.value.trim()) {
        caseField.setCustomValidity(form.dataset.needcase);
        caseField.reportValidity();
        say(form.dataset.needcase, false);
        caseField.focus();
        return;
      }
      const passphrase = form.elements.passphrase.value;
      const file = form.elements.keyfile.files[0];
      say(form.dataset.busy, true);
      await sodium.ready;
      let pair;
      try {
        pair = await openKey(sodium, file, passphrase);
      } catch (error) {
        form.elements.passphrase.value = "";
        say(form.dataset.wrong, false);
        return;
      }
      form.elements.passphrase.value = "";
      const mine = [...form.querySelectorAll(".my-key")].find((k) => k.dataset.public === b64(pair.publicKey));
      if (!mine) { sodium.memzero(pair.privateKey); say(form.dataset.unknown, false); return; }
      const { now } = await fetch("/time").then((r) => r.json());
      const item = form.querySelector("#item").value;  // not elements.item: a method of the collection
      const act = {
        kind: "registry_result_recorded", person: form.dataset.person, key_id: mine.dataset.keyId,
        time: now, item, result: form.elements.result.value,
      };
      if (act.result === "match") act.case = form.elements.case.value;
      const sig = sodium.crypto_sign_detached(actMessage(act), pair.privateKey);
      sodium.memzero(pair.privateKey);
      const answer = await fetch("/web/registry", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
        body: JSON.stringify({ item, act, sig: b64(sig) }),
      });
      const said = await answer.json().catch(() => ({ ok: false, message: String(answer.status) }));
      say(said.message || said.detail || String(answer.status), Boolean(said.ok));
    });
  });
})();
