// The scan page: the field keeps the focus, each answer is heard as well as seen (a high
// tone for an item added, a low one for a flag or an unknown code, none for a repeat), and
// the camera reads label QR codes with BarcodeDetector, or jsQR where the browser has none.
"use strict";
(() => {
  let audio = null;
  function tone(frequency, ms) {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + ms / 1000);
    } catch (e) { /* no sound device: the list still shows it */ }
  }
  const TONES = { ok: [880, 120], flag: [220, 400], bad: [180, 400], repeat: [440, 60] };

  document.addEventListener("DOMContentLoaded", () => {
    const code = document.getElementById("code");
    const form = document.getElementById("scan");
    if (!code || !form) return;
    const count = document.getElementById("scan-count");
    const status = document.getElementById("scan-status");
    const list = document.getElementById("scan-list");
    const apply = document.getElementById("apply");
    // The list's rows by item id and by the code each was scanned by: a scan looks its
    // code up here, not along the rows (with 500 rows, walking them took 10-27 ms a scan
    // in Chromium). Every change of the list goes through `add`, `drop` or `swap`; what
    // htmx swaps in (the apply's answer empties the list) is read again (`reindex`).
    const byItem = new Map(), byCode = new Map();
    function add(li) {
      list.append(li);
      byItem.set(li.dataset.item, li);
      if (li.dataset.code) byCode.set(li.dataset.code, li);
    }
    function forget(li) {
      if (byItem.get(li.dataset.item) === li) byItem.delete(li.dataset.item);
      if (li.dataset.code && byCode.get(li.dataset.code) === li) byCode.delete(li.dataset.code);
    }
    function drop(li) { forget(li); li.remove(); }
    function swap(old, li) {
      forget(old);
      old.replaceWith(li);
      byItem.set(li.dataset.item, li);
      if (li.dataset.code) byCode.set(li.dataset.code, li);
    }
    function reindex() {
      byItem.clear(); byCode.clear();
      for (const li of list.children) {
        byItem.set(li.dataset.item, li);
        if (li.dataset.code) byCode.set(li.dataset.code, li);
      }
    }
    // The list changed: a count's question asked about the list as it was goes (its button
    // would record that list, not this one); Apply asks again.
    const counted = () => {
      count.textContent = String(byItem.size);
      keepSoon();
      const asking = document.querySelector("#outcome [data-outcome=confirm]");
      if (!asking) return;
      const ids = [...list.children].map((li) => li.dataset.item).join(" ");
      if (asking.dataset.items !== ids) asking.remove();
    };
    // For tests and for anyone watching: how many codes the page has answered.
    const answered = (n) => {
      document.body.dataset.scans = String(Number(document.body.dataset.scans || 0) + n);
    };
    document.body.addEventListener("htmx:afterSettle", () => { reindex(); counted(); });
    // The list outlives a reload (a tap on the wrong button, a phone that reloads a page in
    // the background): kept in sessionStorage for this tab, per person and page (its address
    // names the place counted or the transfer received), as each row's item id and the code
    // it was scanned by, with the step and its place or transfer; emptied when the list is
    // applied (the answer empties the list). Restored rows are checked again, as scanned.
    // Saved once the scans pause (KEEP_AFTER ms without one), and at once when the page is
    // left or hidden (a reload, a phone switching apps): a scan does not write the whole
    // list again each time.
    const KEPT = "custody-scan:" + (form.dataset.who || "") + ":" + location.pathname + location.search;
    const KEEP_AFTER = 400;
    let restoring = false, keeping = null;
    function keepSoon() {
      if (keeping !== null) clearTimeout(keeping);
      keeping = setTimeout(keep, KEEP_AFTER);
    }
    function keepNow() {
      if (keeping === null) return;
      keep();
    }
    window.addEventListener("pagehide", keepNow);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") keepNow();
    });
    function keep() {
      if (keeping !== null) { clearTimeout(keeping); keeping = null; }
      if (restoring) return;
      const rows = [...list.children].map((li) => ({ item: li.dataset.item, code: li.dataset.code }));
      try {
        if (!rows.length) { sessionStorage.removeItem(KEPT); return; }
        const step = document.getElementById("step").value;
        sessionStorage.setItem(KEPT, JSON.stringify({ rows, step, place: placeOf(step), transfer: transferOf(step) }));
      } catch (e) { /* no storage: the list lives as long as the page */ }
    }
    // Codes read while the last check is on its way wait here and go together in the next
    // one: a scanner gun reads faster than a server answers, and the order is kept.
    // The list's items are not sent: the page knows a repeat itself (the server ignores a
    // repeat within one check), and a list of hundreds would go with every check.
    let waiting = [], asked = [], busy = false;
    function repeatOf(read) {
      return byItem.get(read) || byCode.get(read);
    }
    function listedItem(id) {
      return byItem.get(id);
    }
    function repeated(said, name) {
      said.className = "scan-repeat";
      said.dataset.outcome = "repeat";
      said.textContent = form.dataset.repeat.replace("{name}", name);
      return said;
    }
    // A row's remove button takes one wrong scan off the list (no reload, focus back).
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-remove]");
      if (!button) return;
      drop(button.closest("li"));
      counted();
      code.focus();
    });
    // Each scan goes as one message on the page's WebSocket (a message on an open
    // connection costs a tenth of a request); where it cannot open, as a POST.
    let live = null, pending = null;
    function connect() {
      let socket;
      try {
        socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/web/scan/live");
      } catch (e) { return; }
      socket.addEventListener("open", () => { live = socket; document.body.dataset.live = "open"; });
      socket.addEventListener("message", (event) => {
        const waiter = pending; pending = null;
        if (waiter) waiter.resolve(event.data);
      });
      socket.addEventListener("close", (event) => {
        const wasOpen = live === socket;
        if (wasOpen) { live = null; delete document.body.dataset.live; }
        const waiter = pending; pending = null;
        if (waiter) waiter.reject(new Error("closed"));
        if (event.code === 4401) { window.location.href = "/web/login"; return; }
        // Opened once and lost (a server restart, a network change): open it again.
        if (wasOpen && event.code !== 1008) setTimeout(connect, 1000);
      });
    }
    connect();
    // An inventory count's place: each item scanned is checked against it ("not at ...").
    const counting = document.getElementById("f-inventory_counted-location");
    function placeOf(step) {
      return step === "inventory_counted" && counting ? counting.value : "";
    }
    // A receipt's transfer: an item it does not expect is flagged "received, not sent".
    const receiving = document.getElementById("f-transfer_received-transfer");
    function transferOf(step) {
      return step === "transfer_received" && receiving ? receiving.value.trim() : "";
    }
    function overSocket(codes, step, csrf, place) {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        const transfer = transferOf(step);
        live.send(JSON.stringify({ code: codes, step, csrf, place, transfer }));
      });
    }
    async function overPost(codes, step, csrf, place) {
      const body = new URLSearchParams();
      codes.forEach((c) => body.append("code", c));
      body.append("step", step);
      body.append("csrf", csrf);
      body.append("place", place);
      body.append("transfer", transferOf(step));
      const answer = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
      // The session ended: 401 (or, from a browser that does not say it is a fetch, the
      // login page the redirect led to). Off to log in, as the socket's 4401 sends.
      const toLogin = answer.redirected && new URL(answer.url).pathname === "/web/login";
      if (answer.status === 401 || toLogin) { window.location.href = "/web/login"; return ""; }
      return answer.text();
    }
    async function send() {
      if (busy || !waiting.length) return;
      busy = true;
      const codes = waiting; waiting = []; asked = codes;
      const step = document.getElementById("step").value;
      const csrf = apply.querySelector("[name=csrf]").value;
      const place = placeOf(step);
      try {
        let html;
        try {
          html = live ? await overSocket(codes, step, csrf, place) : await overPost(codes, step, csrf, place);
        } catch (e) {
          html = await overPost(codes, step, csrf, place);  // the socket closed under this scan
        }
        const shown = document.createElement("template");
        shown.innerHTML = html;
        const said = [...shown.content.querySelectorAll("[data-outcome]")];
        // Each row follows its message. One item is listed once, by its id, however it was
        // scanned (a label's payload, then its marking typed): a second row is dropped and
        // its message says so, as a repeat found here says it.
        let message = null;
        [...shown.content.children].forEach((node) => {
          if (node.dataset.outcome) { message = node; return; }
          if (!node.matches("template[data-add]")) return;
          [...node.content.children].forEach((row) => {
            const listed = listedItem(row.dataset.item);
            if (!listed) { add(row); return; }
            if (message) repeated(message, listed.dataset.name);
          });
        });
        const last = said[said.length - 1];
        if (last) status.replaceChildren(last);
        const worst = said.find((p) => p.dataset.outcome === "flag" || p.dataset.outcome === "bad");
        const heard = worst || last;
        if (heard && TONES[heard.dataset.outcome]) tone(...TONES[heard.dataset.outcome]);
      } finally {
        counted();
        answered(codes.length);
        busy = false; asked = [];
        send();
      }
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const raw = code.value.trim();
      code.value = "";
      code.focus();
      const read = raw.replace(/^custody-item:v1;id=/i, "");
      // A label read twice is known here, without asking the server: the list holds each
      // item's id and the code it was scanned by. (The server ignores a repeat too.)
      const listed = read && repeatOf(read);
      if (listed || (read && (waiting.includes(raw) || asked.includes(raw)))) {
        status.replaceChildren(repeated(document.createElement("p"), listed ? listed.dataset.name : read));
        tone(...TONES.repeat);
        answered(1);
        return;
      }
      waiting.push(raw);
      send();
    });
    document.getElementById("apply").addEventListener("htmx:afterRequest", () => code.focus());

    // The step (or the place counted) changed: the rows listed are checked again for it, by
    // their item ids, and each row is replaced by its new one (its flag, or none). A newer
    // change makes an older check's answers stale: they are dropped.
    let round = 0;
    async function recheck() {
      const mine = ++round;
      const rows = [...list.children];
      const step = document.getElementById("step").value;
      const csrf = apply.querySelector("[name=csrf]").value;
      const place = placeOf(step);
      for (let i = 0; i < rows.length; i += 200) {
        const ids = rows.slice(i, i + 200).map((li) => li.dataset.item);
        const html = await overPost(ids, step, csrf, place);
        if (mine !== round) return;
        const shown = document.createElement("template");
        shown.innerHTML = html;
        shown.content.querySelectorAll("template[data-add]").forEach((node) => {
          [...node.content.children].forEach((row) => {
            const old = listedItem(row.dataset.item);
            if (!old) return;
            row.dataset.code = old.dataset.code;
            swap(old, row);
          });
        });
      }
      counted();
      document.body.dataset.rechecked = String(Number(document.body.dataset.rechecked || 0) + 1);
    }
    async function restore() {
      let kept = null;
      try { kept = JSON.parse(sessionStorage.getItem(KEPT) || "null"); } catch (e) { return; }
      if (!kept || !Array.isArray(kept.rows) || !kept.rows.length) return;
      restoring = true;
      const stepField = document.getElementById("step");
      if (typeof kept.step === "string" && [...stepField.options].some((o) => o.value === kept.step)) {
        stepField.value = kept.step;
        stepField.dispatchEvent(new Event("change"));
      }
      if (counting && kept.place) counting.value = kept.place;
      if (receiving && kept.transfer) receiving.value = kept.transfer;
      try {
        const step = stepField.value;
        const csrf = apply.querySelector("[name=csrf]").value;
        const rows = kept.rows.filter((r) => r && typeof r.item === "string");
        const codeOf = new Map(rows.map((r) => [r.item, r.code]));
        for (let i = 0; i < rows.length; i += 200) {
          const part = rows.slice(i, i + 200);
          const html = await overPost(part.map((r) => r.item), step, csrf, placeOf(step));
          const shown = document.createElement("template");
          shown.innerHTML = html;
          shown.content.querySelectorAll("template[data-add]").forEach((node) => {
            [...node.content.children].forEach((row) => {
              if (listedItem(row.dataset.item)) return;
              const was = codeOf.get(row.dataset.item);
              if (typeof was === "string") row.dataset.code = was;
              add(row);
            });
          });
        }
      } finally {
        restoring = false;
        counted();
        document.body.dataset.restored = String(byItem.size);
      }
    }
    document.getElementById("step").addEventListener("change", recheck);
    if (counting) counting.addEventListener("change", recheck);
    if (receiving) receiving.addEventListener("change", recheck);
    restore().catch(() => { restoring = false; });

    const camera = document.getElementById("camera");
    const video = document.getElementById("viewfinder");
    let last = "", lastAt = 0, running = false;
    function found(text) {
      const now = Date.now();
      if (text === last && now - lastAt < 2500) return;
      last = text; lastAt = now;
      code.value = text;
      form.requestSubmit();
    }
    async function start() {
      if (running || !navigator.mediaDevices) return;
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream; video.hidden = false; running = true;
      await video.play();
      const detector = "BarcodeDetector" in window ? new BarcodeDetector({ formats: ["qr_code"] }) : null;
      const canvas = document.createElement("canvas");
      const context = canvas.getContext("2d", { willReadFrequently: true });
      const look = async () => {
        if (!running) return;
        try {
          if (detector) {
            const codes = await detector.detect(video);
            if (codes.length) found(codes[0].rawValue);
          } else if (video.videoWidth) {
            canvas.width = video.videoWidth; canvas.height = video.videoHeight;
            context.drawImage(video, 0, 0);
            const image = context.getImageData(0, 0, canvas.width, canvas.height);
            const qr = jsQR(image.data, image.width, image.height);
            if (qr) found(qr.data);
          }
        } catch (e) { /* a frame that could not be read: try the next */ }
        setTimeout(look, 250);
      };
      look();
    }
    function stop() {
      running = false; video.hidden = true;
      if (video.srcObject) video.srcObject.getTracks().forEach((t) => t.stop());
      code.focus();
    }
    camera.addEventListener("click", () => (running ? stop() : start().catch(stop)));
  });
})();
