// Benchmark of the issue-6 budget "assessing 10k candidates in Node within 2× of the native CLI".
//
//   node wasm/scripts/bench.mjs [path/to/readiness] [repetitions]
//
// Writes one 10,000-candidate ratings CSV (the generator of wasm/tests/node/cohort.test.mjs:
// standard rubric, manager + 2 peers + self on every criterion, ~3% not rated) to the temp dir,
// then alternates, `repetitions` times each (default 7):
//   CLI:  `readiness assess FILE --format json --out /dev/null` (wall time of the process)
//   Node: readFileSync(FILE) → engine.assessCsv(text) → JSON.stringify(docs) (in this process,
//         after one warm-up run; module instantiation excluded, ~once per page/process)
// and prints the medians, min/max and the ratio. Needs the package built (npm run build).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, statSync } from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { Engine } from "readiness-wasm";

const cli = resolve(process.argv[2] ?? join(process.env.CARGO_TARGET_DIR ?? "target", "release", "readiness"));
const reps = Number(process.argv[3] ?? 7);
const N = 10_000;

function ratingsCsv(engine) {
  let seed = 42;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / (1 << 24);
  const criteria = engine.rubric.dimensions.flatMap((d) => d.criteria.map((c) => c.id));
  const raters = [["m", "manager"], ["p1", "peer"], ["p2", "peer"], ["s", "self"]];
  const lines = ["candidate,rater,group,criterion,score"];
  for (let c = 0; c < N; c++) {
    const candidate = `e-${String(c).padStart(5, "0")}`;
    const level = 1 + Math.floor(next() * 5);
    for (const [r, group] of raters) {
      const rater = group === "self" ? candidate : `${r}-${c}`;
      for (const criterion of criteria) {
        const x = next();
        const score = x < 0.03 ? "" : Math.min(5, Math.max(1, level + Math.round((x - 0.5) * 3)));
        lines.push(`${candidate},${rater},${group},${criterion},${score}`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;

const engine = new Engine();
const file = join(tmpdir(), "readiness-bench-10k.csv");
writeFileSync(file, ratingsCsv(engine));
console.log(`# ${N} candidates, ${statSync(file).size} bytes CSV: ${file}`);
console.log(`# ${cpus().length}× ${cpus()[0]?.model ?? "?"}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}, node ${process.version}`);

const node = () => {
  const t0 = performance.now();
  const docs = engine.assessCsv(readFileSync(file, "utf8"));
  const out = JSON.stringify(docs, null, 2);
  const ms = performance.now() - t0;
  if (docs.length !== N || out.length === 0) throw new Error("unexpected output");
  return ms;
};
const native = () => {
  const t0 = performance.now();
  execFileSync(cli, ["assess", file, "--format", "json"], { stdio: "ignore", maxBuffer: 1 << 30 });
  return performance.now() - t0;
};

node(); native(); // warm-up (JIT, page cache)
const tNode = [];
const tCli = [];
for (let i = 0; i < reps; i++) {
  tCli.push(native());
  tNode.push(node());
}
console.log(`CLI  (${cli}): ${fmt(tCli)}`);
console.log(`Node (assessCsv + JSON.stringify): ${fmt(tNode)}`);
console.log(`ratio Node/CLI (medians): ${(median(tNode) / median(tCli)).toFixed(2)}×  (budget 2×)`);
