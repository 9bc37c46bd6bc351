// The package gives exactly the engine's documents: the same values, nulls, keys and key order
// as the expected JSON written by the Rust engine (and checked by the Python tests too).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, parseRubric, standardRubric } from "readiness-wasm";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { csvToRecords, fixtures, fixturesDir, keyPaths } from "./helpers.mjs";

const all = fixtures();

test("there are cross-binding fixtures", () => {
  assert.ok(all.length >= 1, "tests/fixtures/*.csv with *.expected.json");
});

for (const f of all) {
  const engine = f.rubricToml ? new Engine(parseRubric(f.rubricToml)) : new Engine();
  const expected = JSON.parse(f.expectedText);

  test(`${f.name}: assessCsv equals the engine's expected documents`, () => {
    const docs = engine.assessCsv(f.csv);
    assert.deepStrictEqual(docs, expected);
    assert.deepStrictEqual(keyPaths(docs), keyPaths(expected));
  });

  test(`${f.name}: assessCsvJson is the expected file byte for byte (the CLI's --format json)`, () => {
    assert.strictEqual(engine.assessCsvJson(f.csv), f.expectedText);
  });

  test(`${f.name}: the CSV as UTF-8 bytes gives the same documents and the same JSON`, () => {
    const bytes = new TextEncoder().encode(f.csv);
    assert.deepStrictEqual(engine.assessCsv(bytes), expected);
    assert.strictEqual(engine.assessCsvJson(bytes), f.expectedText);
    const out = engine.assessCsvJsonBytes(bytes);
    assert.ok(out instanceof Uint8Array);
    assert.deepStrictEqual(Buffer.from(out), Buffer.from(f.expectedText, "utf8"));
    assert.deepStrictEqual(engine.assessCsvJsonBytes(f.csv), out);
    // A Node Buffer is a Uint8Array; a view into a larger buffer reads only its own bytes.
    const framed = Buffer.concat([Buffer.from("xx"), Buffer.from(bytes), Buffer.from("yy")]);
    assert.deepStrictEqual(engine.assessCsv(framed.subarray(2, 2 + bytes.length)), expected);
  });

  test(`${f.name}: assess(records) equals assessCsv`, () => {
    assert.deepStrictEqual(engine.assess(csvToRecords(f.csv)), expected);
  });

  test(`${f.name}: undefined values are null, never undefined or NaN`, () => {
    const text = JSON.stringify(engine.assessCsv(f.csv), (_k, v) => {
      assert.notStrictEqual(v, undefined);
      if (typeof v === "number") assert.ok(Number.isFinite(v));
      return v;
    });
    assert.ok(text.includes("null"));
  });
}

test("new Engine() is the standard rubric, and round-trips through a document", () => {
  const std = standardRubric();
  assert.equal(std.id, "standard-leadership");
  assert.deepStrictEqual(new Engine().rubric, std);
  assert.deepStrictEqual(new Engine(std).rubric, std);
  const csv = "candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\n";
  assert.deepStrictEqual(new Engine(std).assessCsv(csv), new Engine().assessCsv(csv));
});

test("standardRubric() is the engine's standard rubric: values, keys and key order", () => {
  const expected = JSON.parse(readFileSync(join(fixturesDir, "standard_rubric.json"), "utf8"));
  const std = standardRubric();
  assert.deepStrictEqual(std, expected);
  assert.strictEqual(JSON.stringify(std), JSON.stringify(expected));
  assert.strictEqual(JSON.stringify(new Engine().rubric), JSON.stringify(expected));
});

test("provenance names the engine and the rubric", () => {
  const [doc] = new Engine().assessCsv("candidate,rater,group,criterion,score\ne-1,m-1,manager,listens,4\n");
  assert.equal(doc.provenance.rubric, "standard-leadership@1.0.0");
  assert.match(doc.provenance.fingerprint, /^sha256:[0-9a-f]{64}$/);
});

test("parseRubric reads TOML and JSON alike", () => {
  const std = standardRubric();
  assert.deepStrictEqual(parseRubric(JSON.stringify(std)), std);
  assert.deepStrictEqual(parseRubric(`  \n${JSON.stringify(std, null, 2)}`), std);
});

test("technical never enters the index: changing technical ratings leaves it unchanged", () => {
  const engine = new Engine();
  const records = (tech) => engine.rubric.dimensions.flatMap((d) => d.criteria.flatMap((c) =>
    ["m-1", "p-1", "p-2"].map((r, i) => ({ candidate: "e-1", rater: r, group: i ? "peer" : "manager",
      criterion: c.id, score: d.kind === "technical" ? tech : 3 + (i % 2) }))));
  const [low] = engine.assess(records(1));
  const [high] = engine.assess(records(5));
  assert.equal(low.readiness.index, high.readiness.index);
  assert.notEqual(low.technical.score, high.technical.score);
});
