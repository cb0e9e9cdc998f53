// Checks, in the browser, that a later checkpoint's tree extends an earlier one's: both
// signed notes verify with a key the ledger publishes (/ledger/keys, C2SP signed note,
// Ed25519), and the consistency proof the server gave leads from the earlier root to the
// later one (RFC 9162 2.1.4.2). SHA-256 and Ed25519 are WebCrypto's; nothing is trusted
// from the server but the bytes it sends, which are checked here.
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
  const half = (n) => Math.floor(n / 2);

  async function consistent(old, size, oldRoot, newRoot, proof) {
    // RFC 9162 2.1.4.2, step by step; sizes stay within Number's exact integers.
    if (old <= 0 || old > size) throw new Error("no proof exists between these sizes");
    if (old === size) {
      if (proof.length || !same(oldRoot, newRoot)) throw new Error("equal sizes, different roots");
      return;
    }
    if (!proof.length) throw new Error("empty proof");
    const path = (old & (old - 1)) === 0 ? [oldRoot, ...proof] : [...proof];
    let fn = old - 1, sn = size - 1;
    while (fn % 2 === 1) { fn = half(fn); sn = half(sn); }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) throw new Error("proof too long");
      if (fn % 2 === 1 || fn === sn) {
        fr = await node(c, fr);
        sr = await node(c, sr);
        while (fn % 2 === 0 && fn !== 0) { fn = half(fn); sn = half(sn); }
      } else {
        sr = await node(sr, c);
      }
      fn = half(fn); sn = half(sn);
    }
    if (sn !== 0) throw new Error("proof too short");
    if (!same(fr, oldRoot)) throw new Error("the proof does not lead to the earlier root");
    if (!same(sr, newRoot)) throw new Error("the proof does not lead to the later root");
  }

  async function keys() {
    // Every ledger key of the log's rotation chain: a checkpoint may be older than the last.
    const records = await fetch("/ledger/keys").then((r) => r.json());
    const found = [];
    for (const record of records) {
      const vkey = record.vkey.trim();
      const one = vkey.indexOf("+"), two = vkey.indexOf("+", one + 1);
      const raw = fromB64(vkey.slice(two + 1));
      if (raw[0] !== 1 || raw.length !== 33) continue;
      const key = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
      found.push({ name: vkey.slice(0, one), hash: fromHex(vkey.slice(one + 1, two)), key });
    }
    return found;
  }

  async function open(note, size, known) {
    // A C2SP checkpoint: origin, size, base64 root; then a signature by one of the keys.
    const split = note.indexOf("\n\n");
    const text = note.slice(0, split + 1);
    const lines = text.split("\n");
    if (Number(lines[1]) !== size) throw new Error("the note is of another size");
    let signed = false;
    for (const line of note.slice(split + 2).split("\n")) {
      for (const k of known) {
        if (!line.startsWith("\u2014 " + k.name + " ") || k.name !== lines[0]) continue;
        const raw = fromB64(line.slice(k.name.length + 3));
        if (!same(raw.slice(0, 4), k.hash)) continue;
        if (!await crypto.subtle.verify({ name: "Ed25519" }, k.key, raw.slice(4), enc.encode(text))) {
          throw new Error("a checkpoint's signature does not verify");
        }
        signed = true;
      }
    }
    if (!signed) throw new Error("a checkpoint is not signed by a ledger key");
    return fromB64(lines[2]);
  }

  async function check(box) {
    const out = box.querySelector(".browser-result");
    box.dataset.checked = "1";
    try {
      const decode = (b64) => new TextDecoder().decode(fromB64(b64));
      const old = Number(box.dataset.old), size = Number(box.dataset.new);
      const known = await keys();
      const oldRoot = await open(decode(box.dataset.oldNote), old, known);
      const newRoot = await open(decode(box.dataset.newNote), size, known);
      const proof = box.dataset.hashes ? box.dataset.hashes.split(",").map(fromHex) : [];
      await consistent(old, size, oldRoot, newRoot, proof);
      out.textContent = box.dataset.verified;
      out.className = "browser-result verified";
    } catch (error) {
      out.textContent = `${box.dataset.failed}: ${error.message}`;
      out.className = "browser-result failed";
    }
  }

  const scan = () => {
    for (const box of document.querySelectorAll(".consistency:not([data-checked])")) check(box);
  };
  document.addEventListener("DOMContentLoaded", scan);
  document.addEventListener("htmx:afterSettle", scan);
})();
