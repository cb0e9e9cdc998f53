// A key for signing acts, and the request to have it registered: the service gives a
// challenge, the key signs its possession claim over it (static/web/keys.js), and the public
// key with that proof goes to the administrator's list. The key is either made here by
// WebCrypto, its private half not exportable (kept in IndexedDB), or a `custody keygen` key
// file opened in the page with its passphrase.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("make-key");
  if (!form) return;
  const keys = window.custodyKeys;
  const speaker = (out) => (text, ok) => { out.textContent = text; out.className = ok === null ? "busy" : ok ? "done" : "problem"; };
  const say = speaker(document.getElementById("make-key-result"));
  const post = (url, body) => fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
    body: JSON.stringify(body),
  });
  const challengeOf = () => post("/web/keys/challenge", {}).then((r) => r.json()).then((a) => a.challenge);
  const claimOf = (publicKey, challenge) => ({ owner: form.dataset.person, purpose: "act", public_key: publicKey, challenge });

  const proving = document.getElementById("prove-keyfile");
  const sayProof = speaker(document.getElementById("prove-keyfile-result"));
  proving.addEventListener("submit", async (event) => {
    event.preventDefault();
    sayProof(proving.dataset.busy, null);
    await sodium.ready;
    let pair;
    try {
      pair = await keys.openKey(sodium, proving.elements.keyfile.files[0], proving.elements.passphrase.value);
    } catch (error) {
      sayProof(proving.dataset.wrong, false);
      return;
    } finally {
      proving.elements.passphrase.value = "";
    }
    const publicKey = keys.b64(pair.publicKey);
    const challenge = await challengeOf();
    const sig = sodium.crypto_sign_detached(keys.possessionMessage(claimOf(publicKey, challenge)), pair.privateKey);
    sodium.memzero(pair.privateKey);
    const answer = await post("/web/keys/request", { challenge, public_key: publicKey, sig: keys.b64(sig), label: "key file" });
    const said = await answer.json().catch(() => ({ ok: false, message: String(answer.status) }));
    sayProof(said.message || String(answer.status), Boolean(said.ok));
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(form.dataset.busy, null);
    let made;
    try {
      made = await keys.makeDeviceKey(form.dataset.person);
    } catch (error) {
      say(form.dataset.unsupported, false);
      return;
    }
    const challenge = await challengeOf();
    const sig = await keys.signWithDeviceKey(made, keys.possessionMessage(claimOf(made.publicKey, challenge)));
    const answer = await post("/web/keys/request", {
      challenge, public_key: made.publicKey, sig: keys.b64(sig), label: form.elements.label.value,
    });
    const said = await answer.json().catch(() => ({ ok: false, message: String(answer.status) }));
    say(said.message || String(answer.status), Boolean(said.ok));
    if (said.ok) document.getElementById("made-public-key").textContent = made.publicKey;
  });
});
