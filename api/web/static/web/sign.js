// Signing a registry result in the browser (custody/keyfile.py's format, DESIGN §5): the key
// file is opened here with the passphrase (libsodium: Argon2id with the file's own cost, then
// XSalsa20-Poly1305 secretbox, nonce first), the act is signed with Ed25519 over
// "custody/act/v1\0" || JCS(act), and only the act and its signature are sent. A wrong
// passphrase fails the secretbox's tag: nothing is sent.
"use strict";
(() => {
  const enc = new TextEncoder();
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
  const fromB64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

  // RFC 8785 for the acts we make: objects of strings, keys sorted by UTF-16 code units,
  // which is what JSON.stringify's string escaping and Array.sort give.
  function jcs(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`).join(",")}}`;
  }

  async function openKey(sodium, file, passphrase) {
    const doc = JSON.parse(await file.text());
    if (doc.format !== "custody-person-key/v1" || doc.kdf.alg !== "argon2id13") throw new Error("format");
    const secret = sodium.crypto_pwhash(
      sodium.crypto_secretbox_KEYBYTES, enc.encode(passphrase), fromB64(doc.kdf.salt),
      Number(doc.kdf.opslimit), Number(doc.kdf.memlimit), sodium.crypto_pwhash_ALG_ARGON2ID13);
    const sealed = fromB64(doc.box.ciphertext);
    const nonce = sealed.slice(0, sodium.crypto_secretbox_NONCEBYTES);
    const seed = sodium.crypto_secretbox_open_easy(sealed.slice(nonce.length), nonce, secret);
    sodium.memzero(secret);
    const pair = sodium.crypto_sign_seed_keypair(seed);
    sodium.memzero(seed);
    if (b64(pair.publicKey) !== doc.public_key) throw new Error("format");
    return pair;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("sign");
    if (!form) return;
    const out = document.getElementById("sign-result");
    const say = (text, ok) => { out.textContent = text; out.className = ok ? "done" : "problem"; };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
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
      const message = new Uint8Array([...enc.encode("custody/act/v1\0"), ...enc.encode(jcs(act))]);
      const sig = sodium.crypto_sign_detached(message, pair.privateKey);
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
