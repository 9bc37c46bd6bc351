// Every error kind the API can raise arrives as a ReadinessError with the engine's code, its
// kind, and the rubric path or the ratings row.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, parseRubric, ReadinessError, standardRubric } from "readiness-wasm";

const HEADER = "candidate,rater,group,criterion,score";

function throwsReadiness(fn, { code, kind, path = null, row = null }) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught, `expected ReadinessError ${code}`);
  assert.ok(caught instanceof ReadinessError, `not a ReadinessError: ${caught}`);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, "ReadinessError");
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.kind, kind);
  assert.equal(caught.path, path, caught.message);
  assert.equal(caught.row, row, caught.message);
  assert.ok(caught.message.length > 0);
  assert.ok(typeof caught.stack === "string");
  return caught;
}

/** The standard rubric with one change made by `edit`. */
function rubricWith(edit) {
  const r = standardRubric();
  edit(r);
  return r;
}

const rubricCases = [
  ["rubric_syntax (TOML)", () => parseRubric("id = [unclosed"), "rubric_syntax", "."],
  ["rubric_syntax (JSON)", () => parseRubric("{ not json"), "rubric_syntax", "."],
  ["unknown_key", () => new Engine(rubricWith((r) => { r.colour = "blue"; })), "unknown_key", "."],
  ["wrong_type", () => new Engine(rubricWith((r) => { r.scale.min = "one"; })), "wrong_type", "scale.min"],
  ["unsupported_format_version", () => new Engine(rubricWith((r) => { r.format_version = 2; })),
    "unsupported_format_version", "format_version"],
  ["duplicate_id", () => new Engine(rubricWith((r) => { r.dimensions[1].criteria[0].id = "listens"; })),
    "duplicate_id", "dimensions[1].criteria[0].id"],
  ["invalid_id", () => new Engine(rubricWith((r) => { r.dimensions[0].id = "has space"; })),
    "invalid_id", "dimensions[0].id"],
  ["invalid_weight", () => new Engine(rubricWith((r) => { r.rater_groups.manager.weight = -1; })),
    "invalid_weight", "rater_groups.manager.weight"],
  ["invalid_scale", () => new Engine(rubricWith((r) => { r.scale.max = 0; })), "invalid_scale", "scale"],
  ["anchor_count", () => new Engine(rubricWith((r) => { r.dimensions[0].criteria[0].anchors.pop(); })),
    "anchor_count", "dimensions[0].criteria[0].anchors"],
  ["no_leadership_dimension", () => new Engine(rubricWith((r) => {
    r.dimensions = r.dimensions.filter((d) => d.kind === "technical");
  })), "no_leadership_dimension", "dimensions"],
  ["levels_not_ordered", () => new Engine(rubricWith((r) => { r.policy.levels[1].min_index = 90; })),
    "levels_not_ordered", "policy.levels[1].min_index"],
  ["catch_all_with_conditions", () => new Engine(rubricWith((r) => { r.policy.levels.at(-1).min_index = 1; })),
    "catch_all_with_conditions", `policy.levels[3]`],
  ["unknown_criterion (rubric)", () => new Engine(rubricWith((r) => {
    r.policy.levels[0].min_criteria = { telepathy: 3 };
  })), "unknown_criterion", "policy.levels[0].min_criteria.telepathy"],
  ["invalid_value", () => new Engine(rubricWith((r) => { r.policy.min_coverage = 2; })),
    "invalid_value", "policy.min_coverage"],
  ["not serializable (BigInt)", () => new Engine(rubricWith((r) => { r.scale.min = 1n; })), "rubric_syntax", "."],
];

for (const [name, fn, code, path] of rubricCases) {
  test(`rubric error: ${name}`, () => throwsReadiness(fn, { code, kind: "rubric", path }));
}

test("rubric error from TOML names the path", () => {
  const toml = `format_version = 1\nid = "x"\nversion = "1"\n[scale]\nmin = 1\nmax = 5\n` +
    `[rater_groups.manager]\nweight = 0\n[policy]\nlevels = [{ id = "all" }]\n` +
    `[[dimensions]]\nid = "lead"\nkind = "leadership"\nweight = 1\n[[dimensions.criteria]]\nid = "a"\n`;
  throwsReadiness(() => parseRubric(toml), { code: "invalid_weight", kind: "rubric", path: "rater_groups.manager.weight" });
});

const engine = new Engine();
const rating = (over = {}) => ({ candidate: "e-1", rater: "m-1", group: "manager", criterion: "listens", score: 4, ...over });

const ratingsCases = [
  ["ratings_syntax (CSV)", () => engine.assessCsv(`${HEADER}\ne-1,m-1,manager,listens,4,extra\n`), "ratings_syntax", 2],
  ["ratings_syntax (not an array)", () => engine.assess({ candidate: "e-1" }), "ratings_syntax", null],
  ["ratings_syntax (not an object)", () => engine.assess([rating(), 42]), "ratings_syntax", 1],
  ["ratings_syntax (BigInt)", () => engine.assess([rating({ score: 4n })]), "ratings_syntax", null],
  ["missing_column (CSV)", () => engine.assessCsv("candidate,rater,group,criterion\ne-1,m-1,manager,listens\n"), "missing_column", 1],
  ["missing_column (record)", () => engine.assess([{ candidate: "e-1", rater: "m-1", group: "manager", score: 4 }]), "missing_column", 0],
  ["unknown_column", () => engine.assess([rating(), rating({ rater: "p-1", group: "peer", mood: "good" })]), "unknown_column", 1],
  ["missing_value", () => engine.assessCsv(`${HEADER}\n,m-1,manager,listens,4\n`), "missing_value", 2],
  ["wrong_type", () => engine.assess([rating({ candidate: 7 })]), "wrong_type", 0],
  ["unknown_criterion", () => engine.assessCsv(`${HEADER}\ne-1,m-1,manager,telepathy,4\n`), "unknown_criterion", 2],
  ["unknown_group", () => engine.assess([rating({ group: "boss" })]), "unknown_group", 0],
  ["score_not_numeric", () => engine.assessCsv(`${HEADER}\ne-1,m-1,manager,listens,four\n`), "score_not_numeric", 2],
  ["score_not_finite (CSV)", () => engine.assessCsv(`${HEADER}\ne-1,m-1,manager,listens,inf\n`), "score_not_finite", 2],
  ["score_not_finite (NaN record)", () => engine.assess([rating(), rating({ rater: "p-1", group: "peer", score: NaN })]), "score_not_finite", 1],
  ["score_not_finite (Infinity record)", () => engine.assess([rating({ score: -Infinity })]), "score_not_finite", 0],
  ["score_out_of_scale", () => engine.assess([rating({ score: 7 })]), "score_out_of_scale", 0],
  ["score_off_step", () => engine.assessCsv(`${HEADER}\ne-1,m-1,manager,listens,3.5\n`), "score_off_step", 2],
  ["score_off_step (assessCsvJson)", () => engine.assessCsvJson(`${HEADER}\ne-1,m-1,manager,listens,3.5\n`), "score_off_step", 2],
  ["ratings_syntax (CSV bytes, not UTF-8)", () => engine.assessCsv(Uint8Array.from([...Buffer.from(`${HEADER}\ne-1,m-1,manager,listens,4\ne-`), 0xff, ...Buffer.from(",m-1,manager,connects,4\n")])), "ratings_syntax", 3],
  ["ratings_syntax (CSV neither text nor bytes)", () => engine.assessCsv(42), "ratings_syntax", null],
  ["ratings_syntax (assessCsvJsonBytes, array)", () => engine.assessCsvJsonBytes([1, 2]), "ratings_syntax", null],
  ["duplicate_rating", () => engine.assessCsv(`${HEADER}\ne-1,m-1,manager,listens,4\ne-1,m-1,manager,listens,3\n`), "duplicate_rating", 3],
  ["rater_in_two_groups", () => engine.assess([rating(), rating({ group: "peer", criterion: "connects" })]), "rater_in_two_groups", 1],
  ["limit_exceeded", () => engine.assess([rating({ candidate: "x".repeat(300) })]), "limit_exceeded", 0],
];

for (const [name, fn, code, row] of ratingsCases) {
  test(`ratings error: ${name}`, () => throwsReadiness(fn, { code, kind: "ratings", row }));
}

test("error messages never echo comment text", () => {
  const e = throwsReadiness(() => engine.assess([rating({ comment: "secret remark", score: 9 })]),
    { code: "score_out_of_scale", kind: "ratings", row: 0 });
  assert.doesNotMatch(e.message, /secret/);
});

test("a missing score is not rated, not an error", () => {
  const [doc] = engine.assess([rating({ score: null })]);
  assert.equal(doc.criteria[0].raw, null);
});
