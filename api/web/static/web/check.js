// The public check page: a statement's PDF dropped on the zone is checked at once (the file
// input takes it, and the form is sent as if its button were pressed); htmx shows the answer
// to a refused upload (too large, empty) as well as a report.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("check");
  const input = document.getElementById("statement");
  const zone = document.getElementById("drop");
  if (!form || !input || !zone) return;
  const over = (on) => (event) => { event.preventDefault(); zone.classList.toggle("over", on); };
  zone.addEventListener("dragover", over(true));
  zone.addEventListener("dragenter", over(true));
  zone.addEventListener("dragleave", over(false));
  zone.addEventListener("drop", (event) => {
    over(false)(event);
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
  input.addEventListener("change", () => { if (input.files.length) form.requestSubmit(); });
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 413 || status === 422 || status === 429 || status === 503) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
});
