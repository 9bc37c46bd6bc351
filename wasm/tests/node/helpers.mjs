import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

export const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));
export const fixturesDir = join(root, "tests", "fixtures");

/** Cross-binding fixtures: every `tests/fixtures/<name>.csv` that has `<name>.expected.json`. */
export function fixtures() {
  const names = readdirSync(fixturesDir).filter((f) => f.endsWith(".csv")).map((f) => f.slice(0, -4));
  return names
    .filter((n) => readdirSync(fixturesDir).includes(`${n}.expected.json`))
    .map((name) => {
      const rubricFile = readdirSync(fixturesDir).find((f) => f === `${name}.rubric.toml`);
      return {
        name,
        csv: readFileSync(join(fixturesDir, `${name}.csv`), "utf8"),
        expectedText: readFileSync(join(fixturesDir, `${name}.expected.json`), "utf8"),
        rubricToml: rubricFile ? readFileSync(join(fixturesDir, rubricFile), "utf8") : null,
      };
    });
}

/** Rating records from a fixture CSV (plain fields, no quoting): what a portal would send. */
export function csvToRecords(csv) {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  const cols = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    const rec = {};
    cols.forEach((c, i) => {
      const v = (cells[i] ?? "").trim();
      if (c === "score") rec.score = v === "" ? null : Number(v);
      else if (c === "cycle" || c === "comment") { if (v !== "") rec[c] = v; }
      else rec[c] = v;
    });
    return rec;
  });
}

/** Every key path in document order, so key order is compared too (deepEqual ignores it). */
export function keyPaths(value, prefix = "") {
  if (Array.isArray(value)) return value.flatMap((v, i) => keyPaths(v, `${prefix}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.keys(value).flatMap((k) => [`${prefix}.${k}`, ...keyPaths(value[k], `${prefix}.${k}`)]);
  }
  return [];
}
