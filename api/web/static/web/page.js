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
