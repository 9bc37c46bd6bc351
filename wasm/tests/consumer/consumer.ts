// Compiled by `tsc --noEmit` against the built package's .d.ts files (a test, never run).
import { Engine, parseRubric, ReadinessError, standardRubric } from "readiness-wasm";
import type { Assessment, CohortInput, CohortReport, DimensionScore, Rating, Rubric } from "readiness-wasm";

const rubric: Rubric = standardRubric();
const fromText: Rubric = parseRubric("format_version = 1");
const engine = new Engine(rubric);
const standard = new Engine();
const again: Rubric = standard.rubric;

const ratings: Rating[] = [
  { candidate: "e-1", rater: "m-1", group: "manager", criterion: "listens", score: 4 },
  { candidate: "e-1", rater: "p-1", group: "peer", criterion: "listens", score: null, cycle: "2026-Q1" },
];
const docs: Assessment[] = engine.assess(ratings);
const fromCsv: Assessment[] = engine.assessCsv("candidate,rater,group,criterion,score\n");
const asJson: string = engine.assessCsvJson("candidate,rater,group,criterion,score\n");
const csvBytes: Uint8Array = new TextEncoder().encode("candidate,rater,group,criterion,score\n");
const fromBytes: Assessment[] = engine.assessCsv(csvBytes);
const jsonBytes: Uint8Array = engine.assessCsvJsonBytes(csvBytes);
const jsonBytesFromText: Uint8Array = engine.assessCsvJsonBytes(asJson);

const doc: Assessment = docs[0];
const index: number | null | undefined = doc.readiness.index;
const level: string = doc.readiness.level;
const ci: [number, number] | null | undefined = doc.readiness.ci95;
const dims: DimensionScore[] = doc.dimensions;
const byGroup: number | null | undefined = dims[0].by_group["manager"];
const tech: number | null | undefined = doc.technical.score;
const flagCodes: string[] = doc.flags.map((f) => f.code);
const actions: string[] = doc.development.flatMap((d) => d.actions);

const input: CohortInput = {
  ratings,
  attributes: [{ candidate: "e-1", site: "north", tenure_years: 4 }],
  decisions: "candidate,promoted\ne-1,yes\n",
  overrides: [{ candidate: "e-1", level: "ready_now", reason: "evidence", author: "hr-1", date: "2026-01-20" }],
};
const report: CohortReport = engine.cohort(input);
const fromCsvTables: CohortReport = engine.cohort({ ratingsCsv: "candidate,rater,group,criterion,score\n" });
const ranked: string[] = report.ranking.candidates.map((c) => c.candidate);
const digest: string = report.provenance.ratings_digest;
const audited: boolean = report.decision_audit !== null;
const overridden: number = report.overrides.n;

try {
  parseRubric("x");
} catch (e) {
  if (e instanceof ReadinessError) {
    const code: string = e.code;
    const path: string | null = e.path;
    const row: number | null = e.row;
    const kind: "rubric" | "ratings" | "stats" | "cohort" = e.kind;
    console.log(code, path, row, kind);
  }
}

// @ts-expect-error a rating needs a criterion
engine.assess([{ candidate: "e-1", rater: "m-1", group: "manager", score: 4 }]);
// @ts-expect-error assessCsv takes CSV text
engine.assessCsv(ratings);
// @ts-expect-error an override needs a reason
engine.cohort({ ratings, overrides: [{ candidate: "e-1", level: "ready_now", author: "hr-1", date: "2026-01-20" }] });

console.log(fromText, again, fromCsv, asJson, index, level, ci, byGroup, tech, flagCodes, actions);
console.log(fromCsvTables, ranked, digest, audited, overridden);
console.log(fromBytes, jsonBytes, jsonBytesFromText);
