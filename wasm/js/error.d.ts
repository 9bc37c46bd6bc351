/** Thrown for an invalid rubric, invalid ratings or an invalid cohort table; `code` is the engine's stable code. */
export declare class ReadinessError extends Error {
  /** Stable snake_case code, e.g. `invalid_weight`, `score_out_of_scale`. */
  readonly code: string;
  /** What the error is about. */
  readonly kind: "rubric" | "ratings" | "stats" | "cohort";
  /** Path of the offending rubric value (`rater_groups.manager.weight`), else null. */
  readonly path: string | null;
  /** CSV line number (header = 1) or array index of the offending rating or table row, else null. */
  readonly row: number | null;
}
