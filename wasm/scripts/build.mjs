// Builds the npm package `readiness-wasm` into wasm/pkg/ and the demo portal's engine script
// (examples/portal/readiness-engine.js). Run with `npm --prefix wasm run build`.
//
// cargo (wasm32, profile wasm-release) → wasm-bindgen (exact crate version) → wasm-opt -Oz --converge
// --low-memory-unused (npm `binaryen`)
// → package entries, TypeScript types generated from the engine's JSON Schemas, package.json.
// CARGO_TARGET_DIR is honoured (default: the workspace's target/).

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync,
  writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const wasmDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(wasmDir, "..");
const pkg = join(wasmDir, "pkg");
const targetDir = resolve(root, process.env.CARGO_TARGET_DIR || "target");
const bin = (name) => join(wasmDir, "node_modules", ".bin", name);

function run(cmd, args, opts = {}) {
  console.error(`$ ${cmd} ${args.join(" ")}`);
  return execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], cwd: root, ...opts });
}

function lockedVersion(name) {
  const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
  const m = lock.match(new RegExp(`name = "${name}"\\nversion = "([^"]+)"`));
  if (!m) throw new Error(`${name} not found in Cargo.lock`);
  return m[1];
}

function workspaceVersion() {
  const toml = readFileSync(join(root, "Cargo.toml"), "utf8");
  const section = toml.split("[workspace.package]")[1] ?? "";
  const m = section.match(/^version\s*=\s*"([^"]+)"/m);
  if (!m) throw new Error("[workspace.package] version not found in Cargo.toml");
  return m[1];
}

// 1. The wasm module.
// The `wasm-release` profile (workspace Cargo.toml): release with fat LTO, one codegen unit,
// panic = abort and its own opt-level, without changing the native release build.
run("cargo", ["build", "--profile", "wasm-release", "--target", "wasm32-unknown-unknown", "-p", "readiness-wasm"]);
const rawWasm = join(targetDir, "wasm32-unknown-unknown", "wasm-release", "readiness_wasm.wasm");

// 2. JS glue with the CLI of exactly the crate's wasm-bindgen version.
const wbVersion = lockedVersion("wasm-bindgen");
const cliVersion = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim();
if (cliVersion !== `wasm-bindgen ${wbVersion}`) {
  throw new Error(`wasm-bindgen CLI is '${cliVersion}', the crate needs ${wbVersion}: ` +
    `cargo install wasm-bindgen-cli --version ${wbVersion}`);
}
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
const portalTmp = join(targetDir, "readiness-wasm-portal");
rmSync(portalTmp, { recursive: true, force: true });
run("wasm-bindgen", ["--target", "web", "--out-dir", pkg, "--out-name", "readiness_wasm", rawWasm]);
run("wasm-bindgen", ["--target", "no-modules", "--no-typescript", "--out-dir", portalTmp,
  "--out-name", "readiness_wasm", rawWasm]);

// 3. Size optimisation. The Rust wasm32 target enables these proposals by default.
const features = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];
// `--converge` repeats -Oz until the module stops shrinking; the debug and producers sections are
// not needed at run time (measured in benches/README.md).
// `--low-memory-unused` lets wasm-opt fold constant offsets into loads and stores (whose address
// arithmetic does not wrap) on the promise that nothing lives in the first 1 KiB: rustc links
// wasm32 with the stack first (the stack pointer starts at 1 MiB, data above it), so that KiB is
// the bottom of the 1 MiB stack, reached only when the stack is about to overflow.
const optimize = (file) => run(bin("wasm-opt"), ["-Oz", "--converge", "--low-memory-unused", "--strip-debug",
  "--strip-producers", ...features, file, "-o", file]);
const webWasm = join(pkg, "readiness_wasm_bg.wasm");
const portalWasm = join(portalTmp, "readiness_wasm_bg.wasm");
const sameModule = readFileSync(webWasm).equals(readFileSync(portalWasm));
optimize(webWasm);
if (sameModule) copyFileSync(webWasm, portalWasm);
else optimize(portalWasm);

// 4. TypeScript types of the documents, generated from the engine's JSON Schemas.
// The committed JSON Schemas (generated from the Rust types, drift-checked by the engine's
// tests) are the one source of the TypeScript document types.
const schemaDir = join(root, "schema");
if (!existsSync(join(schemaDir, "assessment.schema.json"))) {
  throw new Error("schema/*.schema.json missing: run `cargo run -p readiness --example write_schemas`");
}
writeFileSync(join(pkg, "types.d.ts"), await documentTypes(schemaDir));

async function documentTypes(dir) {
  // One schema whose $defs hold the documents and every definition they use, so each type is
  // declared once. A name an earlier schema defines differently is renamed in the later schema
  // with the document's name as prefix (the cohort report's Krippendorff `Level` becomes
  // `CohortReportLevel`, the rubric's `Level` stays); the renames are listed in the banner.
  const documents = [["rubric.schema.json", "Rubric"], ["rating.schema.json", "Rating"],
    ["assessment.schema.json", "Assessments"], ["cohort.schema.json", "CohortReport"]];
  const defs = {};
  const renames = [];
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  for (const [file, name] of documents) {
    let text = readFileSync(join(dir, file), "utf8");
    const schemaDefs = JSON.parse(text).$defs ?? {};
    for (const [k, v] of Object.entries(schemaDefs)) {
      if (!(k in defs) || same(defs[k], v)) continue;
      const renamed = `${name}${k}`;
      if (renamed in defs || renamed in schemaDefs) throw new Error(`cannot rename ${k} of ${file}: ${renamed} exists`);
      const ref = `"#/$defs/${k}"`;
      text = text.split(ref).join(`"#/$defs/${renamed}"`);
      const parsed = JSON.parse(text);
      parsed.$defs[renamed] = parsed.$defs[k];
      delete parsed.$defs[k];
      text = JSON.stringify(parsed);
      renames.push(`${file}: ${k} → ${renamed}`);
    }
    const { $defs = {}, $schema: _s, ...root } = JSON.parse(text);
    for (const [k, v] of Object.entries($defs)) {
      if (k in defs && !same(defs[k], v)) throw new Error(`schema definition ${k} differs between schemas (${file})`);
      defs[k] = v;
    }
    if (name in defs) throw new Error(`document name ${name} is also a definition`);
    defs[name] = { ...root, title: name };
  }
  const names = documents.map(([, n]) => n);
  const combined = { title: "ReadinessDocuments", $defs: defs, type: "object", additionalProperties: false,
    properties: Object.fromEntries(names.map((n) => [n, { $ref: `#/$defs/${n}` }])) };
  const ts = await compile(combined, "ReadinessDocuments", {
    bannerComment: "// Generated by wasm/scripts/build.mjs from the engine's JSON Schemas " +
      "(schema/*.schema.json).\n// Do not edit: change the Rust types and regenerate." +
      renames.map((r) => `\n// Renamed (same name, different definition): ${r}`).join(""),
    strictIndexSignatures: true, format: true });
  // The wrapper object only exists to compile the documents together.
  const wrapper = /(?:\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n)?export interface ReadinessDocuments \{[\s\S]*?\n\}\n/;
  if (!wrapper.test(ts)) throw new Error("generated types: wrapper declaration not found");
  return ts.replace(wrapper, "");
}

// 5. Package entries and package.json.
copyFileSync(join(wasmDir, "README.md"), join(pkg, "README.md"));
for (const f of ["index.js", "node.js", "error.js", "error.d.ts", "index.d.ts"]) {
  copyFileSync(join(wasmDir, "js", f), join(pkg, f));
}
rmSync(join(pkg, ".gitignore"), { force: true });
const version = workspaceVersion();
const packageJson = {
  name: "readiness-wasm",
  version,
  description: "Promotion-readiness engine (WebAssembly): leadership potential, attitude and impact " +
    "scored apart from technical expertise, with intervals, reasons and flags.",
  license: "MIT OR Apache-2.0",
  type: "module",
  main: "./node.js",
  module: "./index.js",
  browser: "./index.js",
  types: "./index.d.ts",
  exports: {
    ".": { types: "./index.d.ts", node: "./node.js", browser: "./index.js", default: "./index.js" },
    "./readiness_wasm_bg.wasm": "./readiness_wasm_bg.wasm",
    "./package.json": "./package.json",
  },
  files: readdirSync(pkg).sort(),
  sideEffects: ["./index.js", "./node.js"],
  engines: { node: ">=18" },
};
writeFileSync(join(pkg, "package.json"), JSON.stringify(packageJson, null, 2) + "\n");

// The tests import the built package by name, through its `exports`.
const link = join(wasmDir, "node_modules", "readiness-wasm");
if (existsSync(join(wasmDir, "node_modules"))) {
  try { lstatSync(link); rmSync(link, { recursive: true, force: true }); } catch { /* absent */ }
  symlinkSync("../pkg", link, "dir");
}

// 6. The portal's engine script: a classic script with the module inlined (works from file://,
//    where ES modules and fetch of a .wasm file are blocked).
const portalDir = join(root, "examples", "portal");
const glue = readFileSync(join(portalTmp, "readiness_wasm.js"), "utf8");
const errorJs = readFileSync(join(wasmDir, "js", "error.js"), "utf8").replace(/^export /gm, "");
const b64 = readFileSync(portalWasm).toString("base64");
writeFileSync(join(portalDir, "readiness-engine.js"), `// Generated by \`npm --prefix wasm run build\` (readiness-wasm ${version}). Do not edit.
// Defines \`window.readiness\`: a promise of { Engine, standardRubric, parseRubric, ReadinessError }.
${glue}
window.readiness = (function () {
${errorJs}
  const bytes = Uint8Array.from(atob("${b64}"), (c) => c.charCodeAt(0));
  return wasm_bindgen({ module_or_path: bytes }).then(() => {
    wasm_bindgen.__register(ReadinessError, nonFiniteAsText);
    const { Engine, standardRubric, parseRubric } = wasm_bindgen;
    return { Engine, standardRubric, parseRubric, ReadinessError };
  });
})();
`);
console.error(`built ${pkg} (readiness-wasm ${version}) and ${join(portalDir, "readiness-engine.js")}`);
