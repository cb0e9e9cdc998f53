// Signing a destruction statement on the batch page (R8; workflows/statements.py): the act
// `custody sign` makes, {"kind": "statement_signed", "person", "key_id", "time",
// "item": <batch>, "items": [sorted ids], "statement": <hex SHA-256>}, signed over
// "custody/act/v1\0" || JCS(act) with the member's key file (opened here with libsodium) or
// the key this browser keeps (WebCrypto, non-extractable). Only the act and signature are sent.
//
// The digest is not taken on the server's word: a court relies on what the member signs. The
// page carries the statement's content (workflows.statements.content, the JSON the PDF prints
// and verify-statement hashes); before any key is opened this script checks that every cell
// and fact the page shows is the content's, as certificates.page prints it (statement-check.js;
// a rewritten weight, model or charge is refused), recomputes
// SHA-256(JCS(content)) with WebCrypto, and signs that digest only if it is the one the server
// gave; otherwise it says so and sends nothing.
"use strict";
(() => {
  const keys = window.custodyKeys;  // static/web/keys.js

  document.addEventListener("DOMContentLoaded", async () => {
    const form = document.getElementById("sign-statement");
    if (!form) return;
    const out = document.getElementById("sign-result");
    const say = (text, ok) => { out.textContent = text; out.className = ok === null ? "busy" : ok ? "done" : "problem"; };
    const registered = [...form.querySelectorAll(".my-key")].map((k) => ({ keyId: k.dataset.keyId, publicKey: k.dataset.public }));
    const person = form.dataset.person;

    // A key kept in this browser that is registered to this person offers the second way.
    let device = null;
    try {
      const kept = await keys.deviceKeys(person);
      device = kept.find((k) => registered.some((r) => r.publicKey === k.publicKey)) || null;
    } catch (error) { device = null; }
    const deviceChoice = document.getElementById("way-device");
    if (device) {
      deviceChoice.disabled = false;
      document.getElementById("device-key-id").textContent = registered.find((r) => r.publicKey === device.publicKey).keyId;
    }
    const showWay = () => {
      const file = form.elements.way.value === "file";
      document.getElementById("way-file-fields").hidden = !file;
      form.elements.keyfile.required = file;
      form.elements.passphrase.required = file;
    };
    for (const choice of form.querySelectorAll("input[name=way]")) choice.addEventListener("change", showWay);
    showWay();

    const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

    // The content shown and its digest, or the reason (in the page's words) not to sign it.
    async function statementToSign() {
      const content = JSON.parse(document.getElementById("statement-content").textContent);
      const items = Array.isArray(content.items) ? content.items : [];
      // Every cell and fact of the statement shown, made again from the content
      // (static/web/statement-check.js), in the words fetched apart from this page.
      const article = document.querySelector("article.statement");
      const lang = article ? article.lang : "";
      const answer = await fetch(`/web/statement-words/${encodeURIComponent(lang)}`);
      const words = answer.ok ? await answer.json() : null;
      const shown = content.batch === form.dataset.batch && words !== null
        && window.custodyStatementCheck(content, article, words) === null;
      if (!shown) return { problem: form.dataset.notShown };
      const digest = hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(keys.jcs(content))));
      const given = [form.dataset.statement, document.getElementById("statement-digest").textContent.trim()];
      if (given.some((d) => d !== digest)) return { problem: form.dataset.mismatch };
      return { digest, batch: content.batch, items: items.map((item) => item.id) };
    }

    async function signer() {
      if (form.elements.way.value === "device") {
        const keyId = registered.find((r) => r.publicKey === device.publicKey).keyId;
        return { keyId, sign: (message) => keys.signWithDeviceKey(device, message) };
      }
      await sodium.ready;
      let pair;
      try {
        pair = await keys.openKey(sodium, form.elements.keyfile.files[0], form.elements.passphrase.value);
      } finally {
        form.elements.passphrase.value = "";
      }
      const mine = registered.find((r) => r.publicKey === keys.b64(pair.publicKey));
      if (!mine) { sodium.memzero(pair.privateKey); throw new Error("unknown"); }
      return {
        keyId: mine.keyId,
        sign: async (message) => {
          const sig = sodium.crypto_sign_detached(message, pair.privateKey);
          sodium.memzero(pair.privateKey);
          return sig;
        },
      };
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say(form.dataset.busy, null);
      let statement;
      try {
        statement = await statementToSign();
      } catch (error) {
        statement = { problem: form.dataset.notShown };
      }
      if (statement.problem) { say(statement.problem, false); return; }
      let key;
      try {
        key = await signer();
      } catch (error) {
        say(error.message === "unknown" ? form.dataset.unknown : form.dataset.wrong, false);
        return;
      }
      const { now } = await fetch("/time").then((r) => r.json());
      const act = {
        kind: "statement_signed", person, key_id: key.keyId, time: now,
        item: statement.batch, items: statement.items,  // the content's order: sorted, as the act wants them
        statement: statement.digest,  // recomputed here, equal to the server's
      };
      const sig = await key.sign(keys.actMessage(act));
      const answer = await fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
        body: JSON.stringify({ act, sig: keys.b64(sig) }),
      });
      const said = await answer.json().catch(() => ({ ok: false, message: String(answer.status) }));
      say(said.message || said.detail || String(answer.status), Boolean(said.ok));
      if (said.ok) {
        form.querySelector("button[type=submit]").disabled = true;
        htmx.trigger("#quorum", "refresh");
      }
    });
  });
})();
