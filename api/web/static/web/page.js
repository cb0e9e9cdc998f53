// What every page does: the scan page's step chooser shows the fields of the chosen step
// only (the others are disabled, so the form sends only the chosen step's fields).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const step = document.getElementById("step");
  if (!step) return;
  const show = () => {
    for (const set of document.querySelectorAll("fieldset.step-fields")) {
      const on = set.dataset.step === step.value;
      set.hidden = !on;
      set.disabled = !on;
    }
  };
  step.addEventListener("change", show);
  show();
});

// A step done from a page other than the scan page (the item page, a home queue): the page
// is drawn again, so it shows the new state, the next steps and the queues as they are now,
// and the line saying what was done is shown again in the same place (kept in
// sessionStorage over the reload; set as text, never as HTML). A refusal stays as it is:
// nothing changed.
const SAID = "custody-said";
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const done = target && target.querySelector("[data-outcome=ok][data-reload]");
  if (!done) return;
  try {
    sessionStorage.setItem(SAID, JSON.stringify({ path: location.pathname + location.search, target: target.id, text: done.textContent }));
  } catch (e) { /* no storage: the page is drawn again all the same */ }
  location.reload();
});
document.addEventListener("DOMContentLoaded", () => {
  let said = null;
  try {
    said = JSON.parse(sessionStorage.getItem(SAID) || "null");
    sessionStorage.removeItem(SAID);
  } catch (e) { return; }
  if (!said || said.path !== location.pathname + location.search) return;
  const line = document.createElement("p");
  line.className = "done";
  line.setAttribute("role", "status");
  line.dataset.outcome = "ok";
  line.dataset.redrawn = "";  // the page as it is after the step (tests wait for it)
  line.textContent = said.text;
  const place = document.getElementById(said.target);
  if (place) place.replaceChildren(line);
  else (document.querySelector("main") || document.body).prepend(line);
});

// A form that writes by a whole page's POST (data-once: cutting, intake, import) goes once:
// a double click sent the same step twice, and the second came back refused by the rules as
// if the first had failed. Its buttons are disabled as it goes, and enabled again when the
// page is shown from the browser's back-forward cache. (The htmx forms: hx-disabled-elt.)
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  if (event.defaultPrevented) return;
  if (form.dataset.sent) { event.preventDefault(); return; }
  form.dataset.sent = "1";
  // after this event: a disabled submitter would not be sent with the form
  setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }), 0);
});
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[data-once]")) {
    delete form.dataset.sent;
    form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = false; });
  }
});
