// Demo portal for readiness-wasm: a plain script, no framework, no build step of its own.
// Every number shown comes from the engine's assessment document; this file only renders it.
"use strict";

(async function main() {
  const api = await window.readiness; // { Engine, standardRubric, parseRubric, ReadinessError }
  const $ = (id) => document.getElementById(id);

  const FLAG_HELP = {
    expert_trap: "A strong expert whose leadership is not yet shown. Promoting on expertise alone risks losing a great specialist and gaining a struggling manager.",
    blind_spot: "Rates themself clearly higher than the others do here: a good subject for a feedback conversation.",
    hidden_strength: "Rates themself clearly lower than the others do here: others see more than they do.",
    low_agreement: "The raters disagree on this dimension; discuss the evidence before acting on the score.",
    few_raters: "Fewer raters than the policy asks for, so the picture may be incomplete.",
  };

  const state = { rubric: null, engine: null, raters: [], scores: new Map(), csvDocs: [] };
  const key = (rater, criterion) => `${rater}\u0000${criterion}`;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  const fmt = (x) => (x === null || x === undefined ? "—" : x.toFixed(1));
  const groupLabel = (g) => state.rubric.rater_groups[g]?.label || g.replace(/_/g, " ");
  const criteria = () => state.rubric.dimensions.flatMap((d) => d.criteria.map((c) => ({ ...c, dimension: d })));
  const criterionName = (id) => criteria().find((c) => c.id === id)?.name || id;

  function scalePoints() {
    const { min, max, step } = state.rubric.scale;
    const s = step || 1;
    const points = [];
    for (let k = 0; min + k * s <= max + 1e-9 && k < 101; k++) points.push(+(min + k * s).toFixed(10));
    return points;
  }

  function showError(id, error) {
    const node = $(id);
    if (!error) { node.hidden = true; node.textContent = ""; return; }
    node.hidden = false;
    const where = error.path && error.path !== "." ? ` (at ${error.path})` : error.row !== null && error.row !== undefined ? "" : "";
    node.textContent = error instanceof api.ReadinessError
      ? `${error.message}${where} [${error.code}]`
      : String(error.message || error);
  }

  // ---- Rubric ------------------------------------------------------------------------------

  function useRubric(rubric) {
    state.rubric = rubric;
    state.engine = new api.Engine(rubric);
    $("rubric-name").textContent = `${rubric.name || rubric.id} · version ${rubric.version} · ` +
      `${rubric.dimensions.length} dimensions, ${criteria().length} criteria`;
    defaultRaters();
    state.scores.clear();
    renderForm();
    update();
  }

  function defaultRaters() {
    const cand = $("candidate").value.trim() || "candidate";
    state.raters = [];
    const prefix = { manager: "m", peer: "p", direct_report: "d" };
    for (const [g, def] of Object.entries(state.rubric.rater_groups)) {
      if (g === "self") { state.raters.push({ id: cand, group: g }); continue; }
      const n = Math.max(1, Math.min(3, def.min_raters || 1));
      for (let i = 1; i <= n; i++) state.raters.push({ id: `${prefix[g] || g}-${i}`, group: g });
    }
  }

  // ---- Form --------------------------------------------------------------------------------

  function renderForm() {
    const box = $("raters");
    box.replaceChildren();
    state.raters.forEach((r, i) => {
      const idInput = el("input", { id: `rater-${i}`, value: r.id, autocomplete: "off", "aria-label": `Rater ${i + 1} id` });
      idInput.addEventListener("change", () => renameRater(i, idInput.value.trim()));
      const groupSelect = el("select", { id: `rater-${i}-group`, "aria-label": `Rater ${i + 1} group` },
        Object.keys(state.rubric.rater_groups).map((g) => el("option", { value: g, selected: g === r.group, text: groupLabel(g) })));
      groupSelect.addEventListener("change", () => { r.group = groupSelect.value; renderForm(); update(); });
      const remove = el("button", { type: "button", class: "icon", "aria-label": `Remove rater ${r.id}`, title: "Remove rater",
        onclick: () => { state.raters.splice(i, 1); renderForm(); update(); } }, "×");
      box.append(el("div", { class: `rater group-${r.group}` }, idInput, groupSelect, remove));
    });
    renderGrid();
  }

  function renameRater(i, id) {
    const old = state.raters[i].id;
    if (!id || id === old) { renderForm(); return; }
    for (const c of criteria()) {
      const v = state.scores.get(key(old, c.id));
      state.scores.delete(key(old, c.id));
      if (v !== undefined) state.scores.set(key(id, c.id), v);
    }
    state.raters[i].id = id;
    renderForm();
    update();
  }

  function renderGrid() {
    const table = $("grid");
    const caption = table.querySelector("caption");
    const labels = state.rubric.scale.labels || [];
    const points = scalePoints();
    const head = el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Criterion" }),
      state.raters.map((r) => el("th", { scope: "col", class: `group-${r.group}` },
        el("span", { class: "rid", text: r.id }), el("span", { class: "rgroup", text: groupLabel(r.group) })))));
    const body = el("tbody");
    for (const dim of state.rubric.dimensions) {
      const technical = dim.kind === "technical";
      body.append(el("tr", { class: "dim-row" }, el("th", { scope: "colgroup", colspan: state.raters.length + 1 },
        dim.name || dim.id, el("span", { class: `kind ${technical ? "kind-tech" : ""}`,
          text: technical ? "technical · reported apart" : String(dim.kind) }))));
      for (const c of dim.criteria) {
        const anchors = c.anchors && c.anchors.length
          ? el("details", { class: "anchors" }, el("summary", { text: "Anchors" }),
            el("ol", {}, c.anchors.map((a, k) => el("li", { value: points[k] }, el("strong", { text: `${points[k]}${labels[k] ? ` ${labels[k]}` : ""}: ` }), a))))
          : null;
        const row = el("tr", {}, el("th", { scope: "row", class: "crit" }, el("span", { class: "cname", text: c.name || c.id }), anchors));
        state.raters.forEach((r) => {
          const current = state.scores.get(key(r.id, c.id));
          const select = el("select", {
            "aria-label": `${c.name || c.id}, rated by ${r.id} (${groupLabel(r.group)})`,
            "data-rater": r.id, "data-criterion": c.id, class: "score",
          }, el("option", { value: "", text: "–", title: "Not rated" }),
          points.map((p, k) => el("option", { value: p, selected: current === p,
            title: [labels[k], c.anchors?.[k]].filter(Boolean).join(": "), text: String(p) })));
          select.addEventListener("change", () => {
            if (select.value === "") state.scores.delete(key(r.id, c.id));
            else state.scores.set(key(r.id, c.id), Number(select.value));
            select.classList.toggle("set", select.value !== "");
            update();
          });
          select.classList.toggle("set", current !== undefined);
          row.append(el("td", {}, select));
        });
        body.append(row);
      }
    }
    caption.textContent = "Scale: " + points.map((p, k) => `${p}${labels[k] ? ` ${labels[k]}` : ""}`).join(" · ") +
      ". Hover a choice or open “Anchors” for the behaviour each point stands for; “–” is not rated.";
    table.replaceChildren(caption, head, body);
  }

  function loadExample() {
    // A fixed, illustrative pattern: strong technically, leadership still emerging.
    const points = scalePoints();
    const top = points.length - 1;
    state.scores.clear();
    state.raters.forEach((r, ri) => {
      criteria().forEach((c, ci) => {
        const technical = c.dimension.kind === "technical";
        let k = technical ? top - ((ri + ci) % 2) : Math.round(top / 2) + (((ri * 7 + ci * 3) % 3) - 1);
        if (r.group === "self" && !technical) k = Math.min(top, k + 1);
        state.scores.set(key(r.id, c.id), points[Math.max(0, Math.min(top, k))]);
      });
    });
    renderGrid();
    update();
  }

  function records() {
    const candidate = $("candidate").value.trim();
    const out = [];
    for (const r of state.raters) {
      for (const c of criteria()) {
        const v = state.scores.get(key(r.id, c.id));
        if (v !== undefined) out.push({ candidate, rater: r.id, group: r.group, criterion: c.id, score: v });
      }
    }
    return out;
  }

  // ---- Results -----------------------------------------------------------------------------

  function update() {
    const mode = document.querySelector("input[name=ratings-source]:checked").value;
    showError("ratings-error", null);
    try {
      if (mode === "form") {
        const recs = records();
        if (!recs.length) return renderEmpty("Rate at least one criterion to see an assessment.");
        const docs = state.engine.assess(recs);
        renderResult(docs[0]);
      } else {
        state.csvDocs = state.engine.assessCsv($("csv-text").value);
        const select = $("csv-candidate");
        const keep = select.value;
        select.replaceChildren(...state.csvDocs.map((d, i) => el("option", { value: i,
          text: `${d.candidate}${d.cycle ? ` (${d.cycle})` : ""} — ${d.readiness.label}` })));
        if (!state.csvDocs.length) return renderEmpty("The CSV has no ratings.");
        if (keep && +keep < state.csvDocs.length) select.value = keep;
        renderResult(state.csvDocs[+select.value || 0]);
      }
    } catch (e) {
      showError("ratings-error", e);
      renderEmpty("Fix the ratings to see an assessment.");
    }
  }

  function renderEmpty(text) {
    $("result").replaceChildren(el("p", { class: "muted", text }));
  }

  function bar(label, score, ci, extra, attrs = {}) {
    const aria = `${label}: ${fmt(score)} of 100` + (ci ? `, 95% interval ${fmt(ci[0])} to ${fmt(ci[1])}` : ", no interval");
    return el("div", { class: "bar-row", ...attrs },
      el("div", { class: "bar-head" }, el("span", { class: "bar-label", text: label }),
        el("span", { class: "bar-value", "data-value": score ?? "", text: fmt(score) }),
        el("span", { class: "bar-ci", text: ci ? `95% CI ${fmt(ci[0])}–${fmt(ci[1])}` : "no interval" })),
      el("div", { class: "bar", role: "img", "aria-label": aria },
        score === null ? null : el("div", { class: "fill", style: `width:${score}%` }),
        ci ? el("div", { class: "whisker", style: `left:${ci[0]}%;width:${Math.max(0.5, ci[1] - ci[0])}%` }) : null),
      extra ? el("div", { class: "bar-extra", text: extra }) : null);
  }

  function renderResult(doc) {
    const levels = state.rubric.policy.levels.map((l) => l.id);
    const rank = levels.indexOf(doc.readiness.level);
    const r = doc.readiness;
    const parts = [];
    parts.push(el("div", { class: "headline" },
      el("div", {},
        el("div", { class: "cand", text: `Candidate ${doc.candidate}${doc.cycle ? ` · ${doc.cycle}` : ""}` }),
        el("span", { id: "level", class: `badge ${rank < 0 ? "level-none" : `level-${rank}`}`, "data-level": r.level, text: r.label })),
      el("div", { class: "index" },
        el("div", { class: "index-label", text: "Readiness index" }),
        el("div", { id: "index", class: "index-value", "data-value": r.index ?? "", text: fmt(r.index) }),
        el("div", { id: "index-ci", class: "index-ci", text: r.ci95 ? `95% CI ${fmt(r.ci95[0])}–${fmt(r.ci95[1])}` : "no interval (fewer than 2 raters)" }))));
    if (r.next_level) {
      const gap = r.next_level.index_gap;
      parts.push(el("p", { class: "next" }, "Next level: ", el("strong", { text: labelOf(r.next_level.level) }),
        gap ? ` — ${fmt(gap)} index points to go` : ""));
    }
    if (r.reasons.length) {
      parts.push(el("details", { class: "reasons" }, el("summary", { text: `Why this level (${r.reasons.length})` }),
        el("ul", {}, r.reasons.map((x) => el("li", { text: x })))));
    }

    const lead = doc.dimensions.filter((d) => d.kind !== "technical");
    parts.push(el("h3", { text: "Leadership-side dimensions" }),
      el("div", { class: "bars" }, lead.map((d) => bar(dimName(d.id), d.score, d.ci95,
        `coverage ${Math.round(d.coverage * 100)}% · ${d.raters} rater${d.raters === 1 ? "" : "s"}` +
        (d.rwg === null ? "" : ` · agreement rwg ${d.rwg.toFixed(2)}`) +
        (d.self_gap === null ? "" : ` · self ${d.self_gap > 0 ? "+" : ""}${d.self_gap.toFixed(2)} pts`),
        { "data-dimension": d.id }))));

    const tech = doc.dimensions.filter((d) => d.kind === "technical");
    parts.push(el("div", { class: "technical" },
      el("h3", { text: "Technical expertise" }),
      el("p", { class: "muted", text: "Reported apart: it never enters the readiness index and can only gate a level." }),
      bar("Technical (overall)", doc.technical.score, doc.technical.ci95, null, { "data-dimension": "technical-overall" }),
      tech.length > 1 ? tech.map((d) => bar(dimName(d.id), d.score, d.ci95, null, { "data-dimension": d.id })) : null));

    parts.push(el("h3", { text: "Flags" }));
    parts.push(doc.flags.length
      ? el("ul", { class: "flags" }, doc.flags.map((f) => el("li", { class: `flag flag-${f.code}`, "data-flag": f.code },
        el("strong", { text: f.code.replace(/_/g, " ") + (f.dimension ? ` · ${dimName(f.dimension)}` : "") }),
        el("p", { text: FLAG_HELP[f.code] || "" }), el("p", { class: "muted", text: f.message }))))
      : el("p", { class: "muted", text: "No flags raised." }));

    parts.push(el("div", { class: "two" },
      el("div", {}, el("h3", { text: "Strengths" }), doc.strengths.length
        ? el("ul", { class: "chips" }, doc.strengths.map((s) => el("li", { text: criterionName(s) })))
        : el("p", { class: "muted", text: "—" })),
      el("div", {}, el("h3", { text: "Development" }), doc.development.length
        ? el("ul", { class: "dev" }, doc.development.map((d) => el("li", {},
          el("strong", { text: `${criterionName(d.criterion)} (${d.raw.toFixed(2)})` }),
          d.actions.length ? el("ul", {}, d.actions.map((a) => el("li", { text: a }))) : null)))
        : el("p", { class: "muted", text: "—" }))));

    parts.push(el("p", { class: "prov", text: `Engine ${doc.provenance.engine} · rubric ${doc.provenance.rubric} · ${doc.provenance.fingerprint.slice(0, 19)}…` }));
    $("result").replaceChildren(...parts);
  }

  const labelOf = (id) => state.rubric.policy.levels.find((l) => l.id === id)?.label || id;
  const dimName = (id) => state.rubric.dimensions.find((d) => d.id === id)?.name || id;

  // ---- Wiring ------------------------------------------------------------------------------

  for (const radio of document.querySelectorAll("input[name=rubric-source]")) {
    radio.addEventListener("change", () => {
      const custom = radio.value === "custom" && radio.checked;
      $("rubric-custom").hidden = !custom;
      if (radio.value === "standard" && radio.checked) { showError("rubric-error", null); useRubric(api.standardRubric()); }
      if (custom && !$("rubric-text").value) $("rubric-text").value = JSON.stringify(state.rubric, null, 2);
    });
  }
  $("rubric-apply").addEventListener("click", () => {
    try {
      const rubric = api.parseRubric($("rubric-text").value);
      showError("rubric-error", null);
      useRubric(rubric);
    } catch (e) {
      showError("rubric-error", e);
    }
  });
  for (const radio of document.querySelectorAll("input[name=ratings-source]")) {
    radio.addEventListener("change", () => {
      const csv = document.querySelector("input[name=ratings-source]:checked").value === "csv";
      $("form-input").hidden = csv;
      $("csv-input").hidden = !csv;
      if (csv && !$("csv-text").value) {
        const recs = records();
        $("csv-text").value = "candidate,rater,group,criterion,score\n" +
          recs.map((x) => `${x.candidate},${x.rater},${x.group},${x.criterion},${x.score}`).join("\n") + "\n";
      }
      update();
    });
  }
  $("csv-text").addEventListener("input", update);
  $("csv-candidate").addEventListener("change", () => renderResult(state.csvDocs[+$("csv-candidate").value]));
  $("candidate").addEventListener("change", () => {
    const self = state.raters.find((r) => r.group === "self");
    if (self) renameRater(state.raters.indexOf(self), $("candidate").value.trim());
    else update();
  });
  $("add-rater").addEventListener("click", () => {
    const groups = Object.keys(state.rubric.rater_groups);
    const group = groups.includes("peer") ? "peer" : groups[0];
    let n = state.raters.length + 1;
    while (state.raters.some((r) => r.id === `r-${n}`)) n++;
    state.raters.push({ id: `r-${n}`, group });
    renderForm();
    document.getElementById(`rater-${state.raters.length - 1}`).focus();
  });
  $("load-example").addEventListener("click", loadExample);
  $("clear-ratings").addEventListener("click", () => { state.scores.clear(); renderGrid(); update(); });

  useRubric(api.standardRubric());
  loadExample();
  document.body.dataset.ready = "true";
})().catch((e) => {
  const box = document.getElementById("result");
  if (box) box.textContent = `The engine could not start: ${e && e.message ? e.message : e}`;
  console.error(e);
});
