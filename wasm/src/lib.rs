//! WebAssembly binding of the `readiness` engine: the npm package `readiness-wasm`.
//!
//! Thin by design: it converts documents and maps errors, nothing else. Documents cross the
//! boundary as JSON text — `JSON.stringify` on the way in, the engine's own serde JSON and
//! `JSON.parse` on the way out — so JavaScript receives exactly the document Rust and Python
//! produce: the same keys in the same order, `null` for undefined values, the same numbers.

mod cohort;
mod error;
mod json;

use error::{into_error, not_json};
use readiness::{Engine as CoreEngine, Rubric};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use error::register_error_class;

#[wasm_bindgen(typescript_custom_section)]
const DOCUMENT_TYPES: &str = r#"import type { Rubric, Rating, Assessment, CohortReport } from "./types.js";

/** A value of a cohort table given as an object: written as CSV text (`null`/`undefined` → empty). */
export type CohortCell = string | number | boolean | null | undefined;

/**
 * The inputs of `Engine.cohort`. Each table is CSV text (header line first) or an array of row
 * objects keyed by column name, each with `candidate`; errors then name the array index as `row`.
 */
export interface CohortInput {
  /** Rating records, or a ratings CSV text. */
  ratings?: Rating[] | string;
  /** A ratings CSV text (instead of `ratings`). */
  ratingsCsv?: string;
  /** `candidate` and any attribute columns (gender, site, …) for the fairness section. */
  attributes?: string | Array<{ candidate: string; [column: string]: CohortCell }> | null;
  /** Past promotion decisions: `promoted` is `true`/`false` (or `yes`/`no`, `1`/`0`). */
  decisions?: string | Array<{ candidate: string; promoted: boolean | string | number; date?: string | null }> | null;
  /** Human overrides of levels; every override needs a `reason`. `cycle` empty: the latest. */
  overrides?: string | Array<{ candidate: string; level: string; reason: string; author: string; date: string;
    cycle?: string | null }> | null;
}"#;

#[wasm_bindgen]
extern "C" {
    /// A rubric document (`schema/rubric.schema.json`).
    #[wasm_bindgen(typescript_type = "Rubric")]
    pub type RubricDoc;

    /// An array of rating records (`schema/rating.schema.json`).
    #[wasm_bindgen(typescript_type = "Rating[]")]
    pub type RatingArray;

    /// An array of assessment documents (`schema/assessment.schema.json`).
    #[wasm_bindgen(typescript_type = "Assessment[]")]
    pub type AssessmentArray;

    /// The inputs of a cohort report (`CohortInput`).
    #[wasm_bindgen(typescript_type = "CohortInput")]
    pub type CohortInputDoc;

    /// A cohort report document (`schema/cohort.schema.json`).
    #[wasm_bindgen(typescript_type = "CohortReport")]
    pub type CohortReportDoc;

    /// Ratings CSV as text, or as its UTF-8 bytes (a file read without decoding it).
    #[wasm_bindgen(typescript_type = "string | Uint8Array")]
    pub type CsvInput;

    /// `JSON.stringify(value, replacer)` with the replacer registered by the package entry.
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn stringify_with(value: &JsValue, replacer: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The built-in standard rubric as a document.
#[wasm_bindgen(js_name = standardRubric)]
pub fn standard_rubric() -> Result<RubricDoc, JsValue> {
    rubric_to_js(&Rubric::standard())
}

/// Reads and validates a rubric from TOML or JSON text (JSON when the first non-blank
/// character is `{`). Throws `ReadinessError` with the engine's `code` and the offending `path`.
#[wasm_bindgen(js_name = parseRubric)]
pub fn parse_rubric(text: &str) -> Result<RubricDoc, JsValue> {
    let rubric = read_rubric(text).map_err(into_error)?;
    rubric_to_js(&rubric)
}

/// A scoring engine for one rubric.
#[wasm_bindgen(js_name = Engine)]
#[derive(Debug)]
pub struct JsEngine {
    inner: CoreEngine,
}

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// An engine for `rubric` (validated first), or for the standard rubric when omitted.
    #[wasm_bindgen(constructor)]
    pub fn new(rubric: Option<RubricDoc>) -> Result<JsEngine, JsValue> {
        let inner = match rubric {
            None => CoreEngine::standard(),
            Some(doc) => {
                let json = to_json_text(&doc, "rubric")?;
                let rubric = Rubric::from_json_str(&json).map_err(into_error)?;
                CoreEngine::new(rubric).map_err(into_error)?
            }
        };
        Ok(JsEngine { inner })
    }

    /// The rubric this engine scores with.
    #[wasm_bindgen(getter)]
    pub fn rubric(&self) -> Result<RubricDoc, JsValue> {
        rubric_to_js(self.inner.rubric())
    }

    /// Assesses every candidate of `ratings` (rating records), sorted by candidate then cycle.
    /// Throws `ReadinessError` (with `row`, the array index) for invalid ratings.
    pub fn assess(&self, ratings: RatingArray) -> Result<AssessmentArray, JsValue> {
        let json = to_json_text(&ratings, "ratings")?;
        reserve_memory(json.len());
        let docs = self.inner.assess_json(&json).map_err(into_error)?;
        to_js(&json::list_to_text(&docs, false).map_err(not_json)?)
    }

    /// Assesses every candidate of a ratings CSV (header
    /// `candidate,rater,group,criterion,score[,cycle][,comment]`), given as text or as its
    /// UTF-8 bytes. Throws `ReadinessError` (with `row`, the CSV line number) for invalid
    /// ratings, bytes that are not UTF-8 included.
    #[wasm_bindgen(js_name = assessCsv)]
    pub fn assess_csv(&self, csv: &CsvInput) -> Result<AssessmentArray, JsValue> {
        let docs = self.assess_csv_input(csv)?;
        to_js(&json::list_to_text(&docs, false).map_err(not_json)?)
    }

    /// Like `assessCsv`, but returns the documents as JSON text: byte for byte what
    /// `readiness assess --format json` writes (pretty-printed, two-space indent, trailing
    /// newline). For bulk use that stores or sends the documents: it saves building 10k object
    /// trees with `JSON.parse` and writing them again with `JSON.stringify`.
    #[wasm_bindgen(js_name = assessCsvJson)]
    pub fn assess_csv_json(&self, csv: &CsvInput) -> Result<String, JsValue> {
        let mut text = json::list_to_text(&self.assess_csv_input(csv)?, true).map_err(not_json)?;
        text.push('\n');
        Ok(text)
    }

    /// `assessCsvJson` as UTF-8 bytes: what `readiness assess --format json` writes, for a
    /// file or a response body without decoding the text into a string and encoding it again
    /// (with the CSV read as bytes too, file to file as the CLI does it).
    #[wasm_bindgen(js_name = assessCsvJsonBytes)]
    pub fn assess_csv_json_bytes(&self, csv: &CsvInput) -> Result<Vec<u8>, JsValue> {
        let mut text = json::list_to_text(&self.assess_csv_input(csv)?, true).map_err(not_json)?;
        text.push('\n');
        Ok(text.into_bytes())
    }

    /// The cohort report of `input.ratings` (rating records or CSV text; or `input.ratingsCsv`)
    /// with the optional `attributes`, `decisions` and `overrides` tables (CSV text or arrays of
    /// row objects). Throws `ReadinessError` (`kind` `"cohort"`, `row` the CSV line or array
    /// index) for a table that does not fit the ratings, or a ratings error.
    pub fn cohort(&self, input: CohortInputDoc) -> Result<CohortReportDoc, JsValue> {
        let report = cohort::report(&self.inner, &input)?;
        to_js(&json::to_text(&report, false).map_err(not_json)?)
    }
}

impl JsEngine {
    /// The assessments of a ratings CSV given as a string or a `Uint8Array`.
    fn assess_csv_input(&self, csv: &CsvInput) -> Result<Vec<readiness::Assessment>, JsValue> {
        if let Some(text) = csv.as_string() {
            reserve_memory(text.len());
            return self.inner.assess_csv(&text).map_err(into_error);
        }
        let Some(bytes) = csv.dyn_ref::<js_sys::Uint8Array>() else {
            return Err(into_error(readiness::RatingsError::Syntax {
                location: readiness::error::Location::Input,
                format: "CSV",
                message: format!(
                    "expected the CSV as a string or a Uint8Array, got {}",
                    csv.js_typeof().as_string().unwrap_or_default()
                ),
            }));
        };
        reserve_memory(bytes.length() as usize);
        let bytes = bytes.to_vec();
        let set = readiness::RatingSet::from_csv_reader(&bytes[..], self.inner.rubric())
            .map_err(into_error)?;
        drop(bytes);
        self.inner.assess(&set).map_err(into_error)
    }
}

/// Grows the wasm memory once for an input of `len` bytes instead of page by page while it is
/// parsed: V8 grows a large memory in many small steps in quadratic time (10k candidates took
/// 27 s instead of 3 s). The engine's parsed form of JSON ratings takes about 8× the text.
pub(crate) fn reserve_memory(len: usize) {
    let want = len.saturating_mul(8);
    if want >= 8 << 20 {
        drop(std::hint::black_box(Vec::<u8>::with_capacity(want)));
    }
}

/// JSON or TOML, detected by the engine (a byte-order mark before JSON is skipped first).
fn read_rubric(text: &str) -> Result<Rubric, readiness::RubricError> {
    Rubric::from_str_any(text)
}

/// A rubric as a document, written with the documents' JSON writer (one serializer for the
/// rubric in the module instead of a second one for `Rubric::to_json_string`'s pretty layout).
fn rubric_to_js(rubric: &Rubric) -> Result<RubricDoc, JsValue> {
    // Through the JSON value the fingerprint is computed from (`Rubric::canonical_json`): the
    // rubric's `Serialize` is then compiled once, for serde_json's value serializer, and the
    // text is the same (size budget, issue 6).
    let value = serde_json::to_value(rubric).map_err(not_json)?;
    to_js(&json::to_text(&value, false).map_err(not_json)?)
}

/// Engine JSON text → a JavaScript value of the declared document type.
fn to_js<T: JsCast>(json: &str) -> Result<T, JsValue> {
    Ok(js_sys::JSON::parse(json)?.unchecked_into())
}

/// A JavaScript value → JSON text. Non-finite numbers are written as strings (`"NaN"`) by the
/// registered replacer, so the engine reports them instead of reading them as `null`.
pub(crate) fn to_json_text(value: &JsValue, what: &'static str) -> Result<String, JsValue> {
    let text =
        stringify_with(value, &error::replacer()).map_err(|e| error::unserializable(what, &e))?;
    text.as_string()
        .ok_or_else(|| error::unserializable(what, &JsValue::from_str("undefined")))
}
