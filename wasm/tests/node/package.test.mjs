// The built package installs into a fresh project (`npm install ./wasm/pkg`) and works there
// through its `exports`, in Node, with its TypeScript types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "./helpers.mjs";

const pkgDir = join(root, "wasm", "pkg");

test("package.json exports Node and browser entries and types", () => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  assert.equal(pkg.name, "readiness-wasm");
  assert.equal(pkg.type, "module");
  assert.equal(pkg.exports["."].types, "./index.d.ts");
  assert.equal(pkg.exports["."].node, "./node.js");
  assert.equal(pkg.exports["."].default, "./index.js");
  for (const f of pkg.files) readFileSync(join(pkgDir, f));
});

test("npm install ./wasm/pkg works in a fresh project", () => {
  const dir = mkdtempSync(join(tmpdir(), "readiness-consumer-"));
  try {
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", pkgDir],
      { cwd: dir, stdio: "pipe" });
    writeFileSync(join(dir, "main.js"), `
      import { Engine, standardRubric, ReadinessError } from "readiness-wasm";
      const engine = new Engine(standardRubric());
      const [doc] = engine.assessCsv("candidate,rater,group,criterion,score\\ne-1,m-1,manager,listens,4\\n");
      let code = null;
      try { engine.assess([{ candidate: "e-1", rater: "m", group: "boss", criterion: "listens", score: 4 }]); }
      catch (e) { code = e instanceof ReadinessError ? e.code : "wrong class"; }
      console.log(JSON.stringify({ level: doc.readiness.level, code }));
    `);
    const out = execFileSync("node", ["main.js"], { cwd: dir, encoding: "utf8" });
    assert.deepStrictEqual(JSON.parse(out), { level: "insufficient_evidence", code: "unknown_group" });
    // Dynamic import resolves through `exports` as well.
    const dynamic = execFileSync("node", ["--input-type=module", "-e",
      "const m = await import('readiness-wasm'); console.log(typeof m.Engine)"], { cwd: dir, encoding: "utf8" });
    assert.equal(dynamic.trim(), "function");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
