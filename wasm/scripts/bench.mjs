// Benchmark of the issue-6 budget "assessing 10k candidates in Node within 2× of the native CLI".
//
//   node wasm/scripts/bench.mjs [path/to/readiness] [repetitions]
//
// Writes one 10,000-candidate ratings CSV (the generator of wasm/tests/node/cohort.test.mjs:
// standard rubric, manager + 2 peers + self on every criterion, ~3% not rated) to the temp dir,
// checks once that both sides give the same output (the CLI's JSON text equals
// `engine.assessCsvJson` byte for byte, and the documents of `engine.assessCsv` deeply: same keys
// in the same order, same strings, same numbers), then alternates, `repetitions` times each
// (default 7):
//   CLI:  `readiness assess FILE --format json`, stdout discarded by the shell-less spawn
//         (never `--out /dev/null`); CPU time of the child process (user + system, from
//         /proc/self/stat cutime/cstime, 10 ms ticks) and wall time
//   Node bytes:   readFileSync(FILE) (bytes) → engine.assessCsvJsonBytes(bytes) (the CLI's output
//         as UTF-8 bytes: file bytes in, JSON bytes out, as the CLI works)
//   Node text:    readFileSync(FILE, "utf8") → engine.assessCsvJson(text) (the CLI's output, as a
//         string)
//   Node objects: readFileSync(FILE) → engine.assessCsv(text) → JSON.stringify(docs, null, 2)
//         (the documents as objects, then the same pretty JSON; numbers like 3.0 print as 3)
//   Node objects only: readFileSync(FILE) → engine.assessCsv(text) (the documents as objects,
//         what an application that reads them gets; not the same output as the CLI's text)
//   each in this process after one warm-up run; module instantiation excluded (~once per
//   page/process); a full garbage collection before each run, outside its timing, so that a run
//   starts from a clean heap like the CLI's fresh process and does not pay for the garbage of the
//   variant before it (84 MB strings, 10k object trees); CPU time of this process
//   (process.cpuUsage, all threads incl. V8's GC helpers: the run's own garbage collection is
//   counted) and wall time
// and prints the medians, min/max and the ratios. CPU time is the figure to read on a shared,
// loaded machine. Needs the package built (npm run build).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, statSync } from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
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

// Same output on both sides (outside the timed runs).
{
  const cliText = execFileSync(cli, ["assess", file, "--format", "json"],
    { encoding: "utf8", maxBuffer: 1 << 30 });
  assert.ok(engine.assessCsvJson(readFileSync(file, "utf8")) === cliText,
    "assessCsvJson differs from the CLI's --format json output");
  assert.ok(Buffer.from(engine.assessCsvJsonBytes(readFileSync(file))).equals(Buffer.from(cliText, "utf8")),
    "assessCsvJsonBytes differs from the CLI's --format json output");
  const docs = engine.assessCsv(readFileSync(file, "utf8"));
  assert.equal(docs.length, N);
  assert.deepStrictEqual(docs, JSON.parse(cliText), "Node and the CLI give different documents");
  console.log(`# same output from Node and the CLI (${cliText.length} bytes of JSON)`);
}

/** CPU time (ms) of the waited-for children of this process: cutime + cstime. */
const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const childCpu = () => {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[13]) + Number(f[14])) * 1000) / ticks; // fields 16 and 17 of proc(5)
};
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc");

const timed = (f) => () => {
  collectGarbage();
  const c0 = cpuMs();
  const t0 = performance.now();
  const out = f();
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  if (out.length < N) throw new Error("unexpected output");
  return { wall, cpu };
};
const nodeBytes = timed(() => engine.assessCsvJsonBytes(readFileSync(file)));
const nodeText = timed(() => engine.assessCsvJson(readFileSync(file, "utf8")));
const nodeObjects = timed(() => JSON.stringify(engine.assessCsv(readFileSync(file, "utf8")), null, 2));
const nodeObjectsOnly = timed(() => engine.assessCsv(readFileSync(file, "utf8")));
const native = () => {
  const c0 = childCpu();
  const t0 = performance.now();
  execFileSync(cli, ["assess", file, "--format", "json"], { stdio: "ignore" });
  return { wall: performance.now() - t0, cpu: childCpu() - c0 };
};

nodeBytes(); nodeText(); nodeObjects(); nodeObjectsOnly(); native(); // warm-up (JIT, page cache)
const tBytes = [];
const tText = [];
const tObjects = [];
const tObjectsOnly = [];
const tCli = [];
for (let i = 0; i < reps; i++) {
  tCli.push(native());
  tBytes.push(nodeBytes());
  tText.push(nodeText());
  tObjects.push(nodeObjects());
  tObjectsOnly.push(nodeObjectsOnly());
}
const col = (xs, k) => xs.map((x) => x[k]);
for (const k of ["cpu", "wall"]) {
  const cliMedian = median(col(tCli, k));
  console.log(`${k} CLI  (${cli}): ${fmt(col(tCli, k))}`);
  for (const [name, xs] of [["assessCsvJsonBytes", tBytes], ["assessCsvJson", tText], ["assessCsv + JSON.stringify", tObjects],
    ["assessCsv (objects only)", tObjectsOnly]]) {
    console.log(`${k} Node ${name}: ${fmt(col(xs, k))}, ratio to the CLI ` +
      `${(median(col(xs, k)) / cliMedian).toFixed(2)}× (budget 2×)`);
  }
}
console.log(`# load after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
