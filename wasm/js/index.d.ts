/// <reference lib="esnext.disposable" />
export { Engine, standardRubric, parseRubric } from "./readiness_wasm.js";
export { ReadinessError } from "./error.js";
export type * from "./types.js";
export type { CohortInput, CohortCell } from "./readiness_wasm.js";
