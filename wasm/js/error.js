// The error every readiness-wasm function throws for bad input. The wasm module constructs it
// (see src/error.rs) and sets the engine's fields, so JavaScript, Python and Rust report the
// same `code` for the same problem.

/** Thrown for an invalid rubric or invalid ratings; `code` is the engine's stable code. */
export class ReadinessError extends Error {
  constructor(message) {
    super(message);
    this.name = "ReadinessError";
    /** Stable snake_case code, e.g. `invalid_weight`, `score_out_of_scale`. */
    this.code = "";
    /** What the error is about: `rubric`, `ratings` or `stats`. */
    this.kind = "";
    /** Path of the offending rubric value (`rater_groups.manager.weight`), else null. */
    this.path = null;
    /** CSV line number or array index of the offending rating, else null. */
    this.row = null;
  }
}

// JSON.stringify writes NaN and ±Infinity as null, which the engine would read as "not rated".
// Written as strings instead, they reach the engine and are reported (`score_not_finite`).
export function nonFiniteAsText(_key, value) {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}
