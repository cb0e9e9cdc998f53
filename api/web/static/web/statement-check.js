// Is the statement this page shows the content it hashes? (issue 16; static/web/statement.js)
//
// The member signs SHA-256(JCS(content)); what they read is the statement printed in the page
// (templates/_statement.html.j2, from certificates.page). A server that rewrote the shown
// table (a weight, a model) or a fact (the charge) would have the member sign what they did
// not see. So every cell and fact shown is made again here from the content, as
// certificates/page.py prints it (its words and months' names fetched from
// /web/statement-words/<lang>, not from this page), and compared: the title, the header (batch, place, installation, the time
// of destruction, commission, who was present), the method, the column headings, each item's
// every cell, and every fact. Only what the content does not hold is left: the signatures so
// far, the status line, and at a burn the fuses, firing devices and detonators taken out
// (from the items' entries), which must be the three last facts, under their own headings.
// The batch's discrepancies and how each was settled (content.discrepancies, issue 16) are
// made again too, one list each (dl.discrepancy), as certificates.page.discrepancy_lines.
"use strict";
window.custodyStatementCheck = (() => {
  const COLUMNS = {
    furnace: ["n", "id", "marking", "category", "model", "calibre", "source", "decision", "registry", "weight"],
    burn: ["n", "id", "marking", "calibre", "quantity", "source", "decision", "weight"],
  };
  const FACTS = [
    "charge_weight_g", "scrap_weight_g", "items_weight_g", "difference_g", "tolerance_g",
    "method", "quantity", "explosive_type", "explosive_amount",
  ];
  const REMOVED = ["fuses", "firing_devices", "detonators"];
  const DISCREPANCY_WEIGHTS = [
    ["expected_g", "fact.items_weight_g"], ["charge_g", "fact.charge_weight_g"],
    ["difference_g", "fact.difference_g"], ["tolerance_g", "fact.tolerance_g"],
  ];
  // Babel's (CLDR's) group and decimal symbols of the statement languages; the minus is "-".
  const SYMBOLS = { ru: ["\u00a0", ","], kk: ["\u00a0", ","], en: [",", "."] };

  const grouped = (digits, group) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  const integer = (value, lang) => (value < 0 ? "-" : "") + grouped(String(Math.abs(value)), SYMBOLS[lang][0]);
  function kilograms(grams, lang) {  // certificates.page.kilograms: "#,##0.000" of grams / 1000
    if (grams === null || grams === undefined) return "";
    const whole = Math.floor(Math.abs(grams) / 1000);
    const part = String(Math.abs(grams) % 1000).padStart(3, "0");
    return (grams < 0 ? "-" : "") + grouped(String(whole), SYMBOLS[lang][0]) + SYMBOLS[lang][1] + part;
  }
  const word = (w, code) => (code === null || code === undefined ? "" : (w[code] ?? code));
  const inLanguage = (register, lang) => String((register.names || {})[lang] || register.name);
  function named(p) {
    if (!p.full_name) return String(p.person);
    return p.position ? `${p.full_name}, ${p.position}` : String(p.full_name);
  }

  function cell(column, n, item, w, lang) {
    switch (column) {
      case "n": return String(n);
      case "id": return item.id;
      case "marking": return item.marking || item.internal_tag || "";
      case "category": return word(w, item.category);
      case "model": return item.model || "";
      case "calibre": return item.calibre || "";
      case "quantity": return item.quantity === null ? "" : integer(item.quantity, lang);
      case "source": return word(w, item.source);
      case "decision": return item.decision || "";
      case "registry": return word(w, item.registry_result);
      case "weight": return kilograms(item.weight_g, lang);
      default: return null;
    }
  }

  function fact(name, value, lang) {
    if (name.endsWith("_weight_g") || name === "difference_g" || name === "tolerance_g") return kilograms(value, lang);
    if (Number.isInteger(value)) return integer(value, lang);
    return value === null ? "None" : String(value);
  }

  // "<local, babel's long format> <+HHMM> (<UTC> UTC)": the UTC part exactly; of the local
  // one its year, day, month's name and time of day at the offset it names (the rest is the
  // format's own words).
  function moment(shown, iso, w, lang) {
    if (iso === null) return shown === "";
    const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
    const found = /^(.*) ([+-])(\d\d)(\d\d) \((.*)\)$/s.exec(shown);
    if (!found || found[5] !== `${utc} ${w.utc}`) return false;
    const offset = (found[2] === "-" ? -1 : 1) * (Number(found[3]) * 60 + Number(found[4]));
    const at = new Date(Date.parse(iso) + offset * 60000);
    const local = found[1];
    const two = (n) => String(n).padStart(2, "0");
    const hour = at.getUTCHours();
    const clock = lang === "en"
      ? `${(hour + 11) % 12 + 1}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}\u202f${hour < 12 ? "AM" : "PM"}`
      : `${two(hour)}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())}`;
    const month = w[`month.${at.getUTCMonth() + 1}`];
    if (!local.endsWith(clock)) return false;
    const tokens = local.split(/[\s,.\u202f]+/u);
    return local.includes(String(at.getUTCFullYear())) && tokens.includes(String(at.getUTCDate()))
      && local.includes(month);
  }

  function present(shown, people, w) {
    let at = 0;
    for (const [n, p] of people.entries()) {
      if (n > 0) { if (!shown.startsWith("; ", at)) return false; at += 2; }
      const roles = p.role === "commission_member" ? ["chair", "commission_member"] : [p.role];
      const said = roles.map((r) => `${named(p)} (${word(w, r)})`).find((s) => shown.startsWith(s, at));
      if (said === undefined) return false;
      at += said.length;
    }
    return at === shown.length;
  }

  const pairs = (dl) => {
    const terms = [...dl.children];
    if (terms.length % 2) return null;
    const out = [];
    for (let n = 0; n < terms.length; n += 2) {
      if (terms[n].tagName !== "DT" || terms[n + 1].tagName !== "DD") return null;
      out.push([terms[n].textContent, terms[n + 1].textContent]);
    }
    return out;
  };
  const same = (a, b) => a.length === b.length && a.every((x, n) => x === b[n]);
  // The region in the words' language, as certificates.regions names it: its spelling read
  // without case, spaces around it, or "oblast" for "region"; one it does not know as given.
  const regionIn = (region, w) => {
    const spelling = region.split(/\s+/).filter(Boolean).join(" ").toLowerCase()
      .replaceAll(" oblast", " region");
    return w[`region.${spelling}`] ?? region;
  };

  // One discrepancy's lines (certificates.page.discrepancy_lines) against those shown: each
  // label and value, the two times as `moment` reads them. null, or the line that differs.
  function discrepancy(shown, d, w, lang) {
    const lines = [
      [w["disc.id"], d.discrepancy], [w["disc.reason"], w[`reason.${d.reason}`] ?? d.reason],
      [w["disc.recorded_at"], { at: d.recorded_at }],
    ];
    for (const [name, label] of DISCREPANCY_WEIGHTS) {
      if (Number.isInteger(d.details[name])) lines.push([w[label], kilograms(d.details[name], lang)]);
    }
    lines.push([w["disc.resolution"], w[`resolution.${d.resolution ?? "open"}`]]);
    if (d.resolution !== null) {
      lines.push([w["disc.resolved_at"], { at: d.resolved_at }], [w["disc.note"], String(d.note ?? "")]);
    }
    if ("corrected_charge_g" in d) lines.push([w["disc.corrected_charge_g"], kilograms(d.corrected_charge_g, lang)]);
    if (!shown || shown.length !== lines.length) return "lines";
    const wrong = lines.findIndex(([label, value], n) => shown[n][0] !== label
      || (typeof value === "string" ? shown[n][1] !== value : !moment(shown[n][1], value.at, w, lang)));
    return wrong >= 0 ? `line ${wrong + 1}` : null;
  }

  function discrepancies(article, content, w, lang) {
    const lists = [...article.querySelectorAll(":scope > dl.discrepancy")];
    const stated = content.discrepancies || [];
    if (lists.length !== stated.length) return "discrepancies";
    for (const [n, d] of stated.entries()) {
      const differs = discrepancy(pairs(lists[n]), d, w, lang);
      if (differs !== null) return `discrepancy ${n + 1} ${differs}`;
    }
    return null;
  }

  // null when `article` (the statement shown) says what `content` says, in `w`'s words;
  // else what differs first ("row 2", "fact charge_weight_g", "header 4"), for the console.
  return function check(content, article, w) {
    const lang = article.lang;
    const kind = content.kind;
    if (!SYMBOLS[lang] || !COLUMNS[kind]) return "language or kind";
    const title = article.querySelector("h3");
    if (!title || title.textContent !== w[`title.${kind}`]) return "title";
    const lists = article.querySelectorAll(":scope > dl.facts");
    if (lists.length !== 2) return "layout";
    const head = pairs(lists[0]);
    const place = `${inLanguage(content.location, lang)}, ${regionIn(content.location.region, w)}`;
    const expected = [
      [w.batch, content.batch], [w.place, place], [w.installation, content.installation],
      [w.destroyed_at, null], [w.commission, inLanguage(content.commission, lang)],
      [w.present, null], [w.method, w[`method.${kind}`]],
    ];
    if (!head || head.length !== expected.length) return "header";
    for (const [n, [label, value]] of expected.entries()) {
      if (head[n][0] !== label || (value !== null && head[n][1] !== value)) return `header ${n + 1}`;
    }
    if (!moment(head[3][1], content.destroyed_at, w, lang)) return "header 4";
    if (!present(head[5][1], content.present, w)) return "header 6";

    const table = article.querySelector("#statement-items");
    const headings = [...table.querySelectorAll("thead th")].map((th) => th.textContent);
    if (!same(headings, COLUMNS[kind].map((c) => w[`col.${c}`]))) return "columns";
    const rows = [...table.querySelectorAll("tbody tr")].map((tr) => [...tr.cells].map((td) => td.textContent));
    if (rows.length !== content.items.length) return "rows";
    for (const [n, item] of content.items.entries()) {
      if (!same(rows[n], COLUMNS[kind].map((c) => cell(c, n + 1, item, w, lang)))) return `row ${n + 1}`;
    }

    const facts = pairs(lists[1]);
    const stated = FACTS.filter((name) => name in content.facts)
      .map((name) => [w[`fact.${name}`], fact(name, content.facts[name], lang)]);
    const removed = kind === "burn" ? REMOVED.map((name) => w[`removed.${name}`]) : [];
    if (!facts || facts.length !== stated.length + removed.length) return "facts";
    const wrong = stated.findIndex(([label, value], n) => facts[n][0] !== label || facts[n][1] !== value);
    if (wrong >= 0) return `fact ${wrong + 1}`;
    const counted = removed.every((label, n) => {
      const [shownLabel, value] = facts[stated.length + n];
      return shownLabel === label && /^\d{1,3}([\u00a0,]\d{3})*$/.test(value);
    });
    return counted ? discrepancies(article, content, w, lang) : "removed";
  };
})();
