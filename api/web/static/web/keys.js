// A person's keys in the browser, for every page that signs (DESIGN §5; docs/ledger.md):
// - jcs: RFC 8785 for the acts we make (objects of strings and arrays of strings);
// - openKey: a `custody keygen` key file opened with its passphrase (libsodium: Argon2id with
//   the file's own cost, XSalsa20-Poly1305 secretbox, nonce first), as custody/keyfile.py;
// - a key made here with WebCrypto Ed25519, its private half non-extractable, kept in this
//   browser's IndexedDB: no script (ours included) can read it out, it can only sign;
// - possession: what such a key signs to prove its owner holds it,
//   "custody/key-possession/v1\0" || JCS({owner, purpose, public_key, challenge}).
"use strict";
window.custodyKeys = (() => {
  const enc = new TextEncoder();
  const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
  const fromB64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

  // Keys sorted by UTF-16 code units, which is what Array.sort gives; JSON.stringify escapes
  // strings as RFC 8785 does.
  function jcs(value) {
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(jcs).join(",")}]`;
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`).join(",")}}`;
  }

  const domain = (prefix, value) => new Uint8Array([...enc.encode(prefix), 0, ...enc.encode(jcs(value))]);
  const actMessage = (act) => domain("custody/act/v1", act);
  const possessionMessage = (claim) => domain("custody/key-possession/v1", claim);

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

  // -- keys kept in this browser (IndexedDB "custody-keys", one record per owner and key) ----
  function store(mode, work) {
    return new Promise((resolve, reject) => {
      const opening = indexedDB.open("custody-keys", 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore("keys", { keyPath: "id" });
      opening.onerror = () => reject(opening.error);
      opening.onsuccess = () => {
        const db = opening.result;
        const tx = db.transaction("keys", mode);
        const request = work(tx.objectStore("keys"));
        tx.oncomplete = () => { db.close(); resolve(request.result); };
        tx.onerror = () => { db.close(); reject(tx.error); };
      };
    });
  }

  async function makeDeviceKey(owner) {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    const publicKey = b64(await crypto.subtle.exportKey("raw", pair.publicKey));
    const record = { id: `${owner} ${publicKey}`, owner, publicKey, privateKey: pair.privateKey, made: new Date().toISOString() };
    await store("readwrite", (keys) => keys.put(record));
    return record;
  }

  async function deviceKeys(owner) {
    const all = await store("readonly", (keys) => keys.getAll());
    return (all || []).filter((k) => k.owner === owner);
  }

  async function signWithDeviceKey(record, message) {
    return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, record.privateKey, message));
  }

  return { b64, fromB64, jcs, actMessage, possessionMessage, openKey, makeDeviceKey, deviceKeys, signWithDeviceKey };
})();
