// A key made in this browser for signing acts, and the request to have it registered: the
// service gives a challenge, WebCrypto makes an Ed25519 key whose private half cannot be
// exported (kept in IndexedDB, static/web/keys.js), the key signs its possession claim over
// the challenge, and the public key with that proof goes to the administrator's list.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("make-key");
  if (!form) return;
  const keys = window.custodyKeys;
  const out = document.getElementById("make-key-result");
  const say = (text, ok) => { out.textContent = text; out.className = ok === null ? "busy" : ok ? "done" : "problem"; };
  const post = (url, body) => fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
    body: JSON.stringify(body),
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
    const { challenge } = await post("/web/keys/challenge", {}).then((r) => r.json());
    const claim = { owner: form.dataset.person, purpose: "act", public_key: made.publicKey, challenge };
    const sig = await keys.signWithDeviceKey(made, keys.possessionMessage(claim));
    const answer = await post("/web/keys/request", {
      challenge, public_key: made.publicKey, sig: keys.b64(sig), label: form.elements.label.value,
    });
    const said = await answer.json().catch(() => ({ ok: false, message: String(answer.status) }));
    say(said.message || String(answer.status), Boolean(said.ok));
    if (said.ok) document.getElementById("made-public-key").textContent = made.publicKey;
  });
});
