// A cohort of 10,000 candidates: every candidate assessed, in order, and each document equal to
// assessing that candidate alone (a candidate's result never depends on the rest of the cohort).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "readiness-wasm";

const N = 10_000;

/** Deterministic ratings: manager, two peers and self on every criterion, some not rated. */
function cohort(engine) {
  let seed = 42;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / (1 << 24);
  const criteria = engine.rubric.dimensions.flatMap((d) => d.criteria.map((c) => c.id));
  const raters = [["m", "manager"], ["p1", "peer"], ["p2", "peer"], ["s", "self"]];
  const out = [];
  for (let c = 0; c < N; c++) {
    const candidate = `e-${String(c).padStart(5, "0")}`;
    const level = 1 + Math.floor(next() * 5);
    for (const [r, group] of raters) {
      const rater = group === "self" ? candidate : `${r}-${c}`;
      for (const criterion of criteria) {
        const x = next();
        const score = x < 0.03 ? null : Math.min(5, Math.max(1, level + Math.round((x - 0.5) * 3)));
        out.push({ candidate, rater, group, criterion, score });
      }
    }
  }
  return out;
}

test(`assesses a cohort of ${N} candidates`, () => {
  const engine = new Engine();
  const ratings = cohort(engine);
  const t0 = performance.now();
  const docs = engine.assess(ratings);
  const ms = performance.now() - t0;
  console.log(`# ${N} candidates, ${ratings.length} ratings: assess ${ms.toFixed(0)} ms`);
  assert.equal(docs.length, N);
  assert.deepStrictEqual(docs.map((d) => d.candidate), [...new Set(ratings.map((r) => r.candidate))].sort());
  const levels = new Set(docs.map((d) => d.readiness.level));
  assert.ok(levels.size >= 3, `levels: ${[...levels]}`);

  for (const i of [0, 1, 4999, N - 1]) {
    const alone = engine.assess(ratings.filter((r) => r.candidate === docs[i].candidate));
    assert.deepStrictEqual(alone, [docs[i]]);
  }

  const header = "candidate,rater,group,criterion,score\n";
  const csv = header + ratings.map((r) => `${r.candidate},${r.rater},${r.group},${r.criterion},${r.score ?? ""}`).join("\n");
  const t1 = performance.now();
  const fromCsv = engine.assessCsv(csv);
  console.log(`# assessCsv ${(performance.now() - t1).toFixed(0)} ms`);
  assert.deepStrictEqual(fromCsv, docs);
});
