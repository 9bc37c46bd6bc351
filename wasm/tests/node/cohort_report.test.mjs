// engine.cohort: the sample data's report equals the engine's (tests/fixtures/
// cohort_sample.expected.json, written by `readiness cohort … --format json`; see
// crates/readiness/tests/cohort_fixture.rs), with tables as CSV text or arrays of objects, and every cohort error
// kind arrives as a ReadinessError with kind "cohort", the engine's code and the row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, ReadinessError } from "readiness-wasm";
import { fixturesDir, keyPaths, root } from "./helpers.mjs";

const data = (name) => readFileSync(join(root, "examples", "data", name), "utf8");
const sample = {
  ratings: data("cohort.csv"),
  attributes: data("attributes.csv"),
  decisions: data("decisions.csv"),
  overrides: data("overrides.csv"),
};
const expectedText = readFileSync(join(fixturesDir, "cohort_sample.expected.json"), "utf8");
const expected = JSON.parse(expectedText);

/**
 * Deep equality, numbers bit for bit: every transcendental function of the engine comes from the
 * `libm` crate (never the platform's libm through `f64` methods), so wasm32 and native compute
 * the same bits. Reports the first differing path.
 */
function assertSameReport(actual, wanted, path = "$") {
  if (wanted === null || typeof wanted !== "object") {
    assert.strictEqual(actual, wanted, path);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(wanted), path);
  assert.deepStrictEqual(Object.keys(actual), Object.keys(wanted), `${path}: keys`);
  for (const k of Object.keys(wanted)) assertSameReport(actual[k], wanted[k], `${path}.${k}`);
}

/** Rows of a CSV text as objects (quoted fields with commas and doubled quotes; no newlines). */
function rows(csv) {
  const split = (line) => {
    const out = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
        else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") { out.push(cur); cur = ""; }
      else cur += ch;
    }
    out.push(cur);
    return out;
  };
  const [header, ...lines] = csv.trim().split(/\r?\n/).map(split);
  return lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""])));
}

/** Rating records from the sample ratings CSV: what a portal would send. */
function ratingRecords(csv) {
  return rows(csv).map(({ score, cycle, comment, ...r }) => ({
    ...r,
    score: score === "" ? null : Number(score),
    ...(cycle ? { cycle } : {}),
    ...(comment ? { comment } : {}),
  }));
}

test("the sample cohort report equals the engine's output (CSV tables)", () => {
  const report = new Engine().cohort(sample);
  assertSameReport(report, expected);
  assert.deepStrictEqual(keyPaths(report), keyPaths(expected), "same keys in the same order");
});

test("rating records and tables as arrays of objects give the same report", () => {
  const engine = new Engine();
  const report = engine.cohort({
    ratings: ratingRecords(sample.ratings),
    attributes: rows(sample.attributes),
    decisions: rows(sample.decisions).map((d) => ({ ...d, promoted: d.promoted === "true" })),
    overrides: rows(sample.overrides),
  });
  assertSameReport(report, expected);
  // Same module, same inputs: identical to the CSV form, bit for bit.
  assert.deepStrictEqual(report, engine.cohort(sample));
  assert.deepStrictEqual(engine.cohort({ ...sample, ratings: undefined, ratingsCsv: sample.ratings }), report);
});

test("the tables are optional", () => {
  const report = new Engine().cohort({ ratings: sample.ratings });
  assert.equal(report.decision_audit, null);
  assert.deepStrictEqual(report.fairness, []);
  assert.equal(report.overrides.n, 0);
  assert.equal(report.provenance.attributes, null);
  assert.equal(report.ranking.candidates.length, expected.ranking.candidates.length);
  // An empty array is an empty table, not an absent one.
  const empty = new Engine().cohort({ ratings: sample.ratings, decisions: [], attributes: [], overrides: [] });
  assert.equal(empty.provenance.decisions, 0);
  assert.equal(empty.provenance.attributes, 0);
});

function throwsCohort(fn, { code, kind = "cohort", row = null, message }) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `expected ReadinessError ${code}`);
  assert.ok(caught instanceof ReadinessError, `not a ReadinessError: ${caught}`);
  assert.equal(caught.name, "ReadinessError");
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.kind, kind, caught.message);
  assert.equal(caught.row, row, caught.message);
  assert.equal(caught.path, null);
  if (message) assert.match(caught.message, message);
  return caught;
}

const ratings = sample.ratings;
const cohort = (input) => () => new Engine().cohort({ ratings, ...input });

test("every cohort error kind, from CSV text (row = CSV line)", () => {
  throwsCohort(cohort({ attributes: "candidate,site\ne-1001,n\ne-9999,s\n" }),
    { code: "unknown_candidate", row: 3, message: /e-9999/ });
  throwsCohort(cohort({ decisions: "candidate,promoted\ne-1001,yes\ne-1001,no\n" }),
    { code: "duplicate_key", row: 3, message: /line 2/ });
  throwsCohort(cohort({ overrides: "candidate,level,reason,author,date\ne-1001,ready_now,,hr-1,2026-01-20\n" }),
    { code: "override_without_reason", row: 2 });
  throwsCohort(cohort({ overrides: "candidate,level,reason,author,date\ne-1001,ready_now,why,,2026-01-20\n" }),
    { code: "table_missing_value", row: 2, message: /author/ });
  throwsCohort(cohort({ overrides: "candidate,level,reason,author,date\ne-1001,best,why,hr-1,2026-01-20\n" }),
    { code: "table_invalid_value", row: 2, message: /level/ });
  throwsCohort(cohort({ decisions: "candidate,promoted\ne-1001,maybe\n" }),
    { code: "table_invalid_value", row: 2, message: /promoted/ });
  throwsCohort(cohort({ decisions: "candidate\ne-1001\n" }), { code: "table_missing_column", row: 1 });
  throwsCohort(cohort({ attributes: "site\nnorth\n" }), { code: "table_missing_column", row: 1 });
  throwsCohort(cohort({ decisions: "candidate,promoted,grade\ne-1001,yes,A\n" }),
    { code: "table_unknown_column", row: 1, message: /grade/ });
  throwsCohort(cohort({ attributes: "candidate,site\ne-1001,n,extra\n" }), { code: "table_syntax", row: 2 });
  throwsCohort(cohort({ attributes: "candidate,site,site\ne-1001,n,s\n" }), { code: "table_syntax", row: 1 });
});

test("every cohort error kind, from arrays of objects (row = array index)", () => {
  const o = { candidate: "e-1001", level: "ready_now", reason: "evidence", author: "hr-1", date: "2026-01-20" };
  throwsCohort(cohort({ attributes: [{ candidate: "e-1001", site: "n" }, { candidate: "e-9999", site: "s" }] }),
    { code: "unknown_candidate", row: 1, message: /row \[1\]/ });
  throwsCohort(cohort({ decisions: [{ candidate: "e-1001", promoted: true }, { candidate: "e-1002", promoted: false },
    { candidate: "e-1001", promoted: false }] }), { code: "duplicate_key", row: 2, message: /first at row \[0\]/ });
  throwsCohort(cohort({ overrides: [o, { ...o, candidate: "e-1002", reason: " " }] }),
    { code: "override_without_reason", row: 1 });
  throwsCohort(cohort({ overrides: [{ ...o, date: null }] }), { code: "table_missing_value", row: 0 });
  throwsCohort(cohort({ overrides: [{ ...o, cycle: "1999-Q1" }] }), { code: "table_invalid_value", row: 0 });
  throwsCohort(cohort({ decisions: [{ candidate: "e-1001", promoted: "maybe" }] }), { code: "table_invalid_value", row: 0 });
  throwsCohort(cohort({ decisions: [{ candidate: "e-1001" }] }), { code: "table_missing_value", row: 0 });
  throwsCohort(cohort({ decisions: [{ candidate: "e-1001", promoted: 1, grade: "A" }] }),
    { code: "table_unknown_column", row: null });
  throwsCohort(cohort({ attributes: [{ candidate: "" }] }), { code: "table_missing_value", row: 0 });
  // A value with a line break spans two CSV lines: later rows still get their own index.
  throwsCohort(cohort({ attributes: [{ candidate: "e-1001", note: "a\nb\nc" }, { candidate: "e-9999", note: "" }] }),
    { code: "unknown_candidate", row: 1 });
  throwsCohort(cohort({ attributes: [{ candidate: "e-1001", site: { nested: 1 } }] }), { code: "table_syntax", row: 0 });
  throwsCohort(cohort({ attributes: ["e-1001"] }), { code: "table_syntax", row: 0 });
  throwsCohort(cohort({ attributes: 42 }), { code: "table_syntax", row: null });
});

test("ratings errors keep their kind", () => {
  throwsCohort(() => new Engine().cohort({ ratings: "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,9\n" }),
    { code: "score_out_of_scale", kind: "ratings", row: 2 });
  throwsCohort(() => new Engine().cohort({ ratings: [{ candidate: "e-1", rater: "m-1", group: "boss", criterion: "listens", score: 3 }] }),
    { code: "unknown_group", kind: "ratings", row: 0 });
});
