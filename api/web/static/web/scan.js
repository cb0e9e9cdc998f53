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
    document.body.addEventListener("htmx:afterSettle", () => {
      count.textContent = String(document.querySelectorAll("#scan-list li").length);
      // For tests and for anyone watching: how many answers the page has shown.
      document.body.dataset.scans = String(Number(document.body.dataset.scans || 0) + 1);
    });
    document.body.addEventListener("htmx:afterSwap", (event) => {
      const target = event.detail.target;
      const said = target && target.querySelector("[data-outcome]");
      if (said && TONES[said.dataset.outcome]) tone(...TONES[said.dataset.outcome]);
    });
    form.addEventListener("htmx:afterRequest", () => { code.value = ""; code.focus(); });
    // A label read twice is known here, without asking the server: the list holds each
    // item's id and the code it was scanned by. (The server ignores a repeat too.)
    const status = document.getElementById("scan-status");
    form.addEventListener("htmx:configRequest", (event) => {
      const read = code.value.trim().replace(/^custody-item:v1;id=/, "");
      const listed = [...document.querySelectorAll("#scan-list li")].find(
        (li) => li.dataset.item === read || li.dataset.code === read);
      if (!listed) return;
      event.preventDefault();
      const said = document.createElement("p");
      said.className = "scan-repeat";
      said.dataset.outcome = "repeat";
      said.textContent = form.dataset.repeat.replace("{name}", listed.dataset.name);
      status.replaceChildren(said);
      tone(...TONES.repeat);
      code.value = "";
      code.focus();
      document.body.dataset.scans = String(Number(document.body.dataset.scans || 0) + 1);
    });
    document.getElementById("apply").addEventListener("htmx:afterRequest", () => code.focus());

    const camera = document.getElementById("camera");
    const video = document.getElementById("viewfinder");
    let last = "", lastAt = 0, running = false;
    function found(text) {
      const now = Date.now();
      if (text === last && now - lastAt < 2500) return;
      last = text; lastAt = now;
      code.value = text;
      htmx.trigger(form, "submit");
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
