// Checks, in the browser, that an entry is in the ledger the server signed: the entry's leaf
// hash (SHA-256 of 0x00 || its exact bytes, RFC 9162 2.1.1) and its inclusion proof
// (RFC 9162 2.1.3.2) lead to the root of the latest checkpoint, and the checkpoint's C2SP
// signed note verifies with the ledger's Ed25519 key. SHA-256 and Ed25519 are WebCrypto's.
"use strict";
(() => {
  const enc = new TextEncoder();
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const fromB64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const fromHex = (hex) => Uint8Array.from(hex.match(/../g) || [], (h) => parseInt(h, 16));
  const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

  async function rootFromProof(index, size, leaf, path) {
    // RFC 9162 2.1.3.2, step by step; sizes stay within Number's exact integers.
    if (index >= size) throw new Error("index beyond the tree");
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (sn === 0) throw new Error("proof too long");
      if (fn % 2 === 1 || fn === sn) {
        r = await node(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await node(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("proof too short");
    return r;
  }

  async function checkpoint() {
    // The note and the key the ledger publishes (DESIGN §7).
    const [note, vkey] = await Promise.all([
      fetch("/ledger/checkpoint").then((r) => r.text()),
      fetch("/ledger/key").then((r) => r.text()),
    ]);
    // <name>+<hex key hash>+<base64 key>: the name has no "+", base64 may.
    const text_ = vkey.trim();
    const one = text_.indexOf("+"), two = text_.indexOf("+", one + 1);
    const [name, hashHex, keyB64] = [text_.slice(0, one), text_.slice(one + 1, two), text_.slice(two + 1)];
    const key = fromB64(keyB64);
    if (key[0] !== 1 || key.length !== 33) throw new Error("not an Ed25519 verifier key");
    const split = note.indexOf("\n\n");
    const text = note.slice(0, split + 1);
    const lines = text.split("\n");
    if (lines[0] !== name) throw new Error("the checkpoint is of another log");
    const size = Number(lines[1]);
    const root = fromB64(lines[2]);
    const publicKey = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, ["verify"]);
    let signed = false;
    for (const line of note.slice(split + 2).split("\n")) {
      if (!line.startsWith("\u2014 " + name + " ")) continue;
      const raw = fromB64(line.slice(name.length + 3));
      if (!same(raw.slice(0, 4), fromHex(hashHex))) continue;
      signed = await crypto.subtle.verify({ name: "Ed25519" }, publicKey, raw.slice(4), enc.encode(text));
      if (!signed) throw new Error("the checkpoint's signature does not verify");
    }
    if (!signed) throw new Error("the checkpoint is not signed by the ledger's key");
    return { size, root };
  }

  async function verify(li) {
    const seq = Number(li.dataset.seq);
    const body = fromB64(li.dataset.body);
    const leaf = await sha256(concat(Uint8Array.of(0), body));
    if (!same(leaf, fromHex(li.dataset.leaf))) throw new Error("the entry's bytes do not give its leaf hash");
    const head = await checkpoint();
    const answer = await fetch(`/ledger/proof/inclusion?index=${seq}&size=${head.size}`);
    if (!answer.ok) throw new Error(`no proof (${answer.status})`);
    const proof = await answer.json();
    if (!same(fromHex(proof.leaf_hash), leaf)) throw new Error("the proof is for another entry");
    const root = await rootFromProof(seq, head.size, leaf, proof.hashes.map(fromHex));
    if (!same(root, head.root)) throw new Error("the proof does not lead to the signed root");
    return head.size;
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button.proof");
    if (!button) return;
    const li = button.closest("li");
    const out = li.querySelector(".proof-result");
    out.textContent = "…";
    out.className = "proof-result";
    try {
      const size = await verify(li);
      out.textContent = out.dataset.verified.replace("{size}", String(size));
      out.classList.add("verified");
    } catch (error) {
      out.textContent = `${out.dataset.failed}: ${error.message}`;
      out.classList.add("failed");
    }
  });
})();
