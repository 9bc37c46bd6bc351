//! Error mapping: every engine error becomes one JavaScript `ReadinessError` (an `Error`
//! subclass defined by the package entry) carrying the engine's stable `code`, its `kind`
//! (`rubric`, `ratings`, `stats`), the rubric `path` and the ratings `row` (`null` when not
//! applicable).

use js_sys::{Array, Function, Reflect};
use readiness::error::Location;
use readiness::{RatingsError, RubricError};
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
    static REPLACER: RefCell<JsValue> = const { RefCell::new(JsValue::NULL) };
}

/// Called once by the package entry: the `ReadinessError` class to throw and the
/// `JSON.stringify` replacer that keeps non-finite numbers visible to the engine. Without it
/// (a bare wasm-bindgen import) errors are plain `Error`s named `ReadinessError` with the same
/// fields.
#[wasm_bindgen(js_name = "__register", skip_typescript)]
pub fn register_error_class(error_class: Function, replacer: JsValue) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(error_class));
    REPLACER.with(|r| *r.borrow_mut() = replacer);
}

pub(crate) fn replacer() -> JsValue {
    REPLACER.with(|r| r.borrow().clone())
}

/// The one place engine errors become JavaScript errors.
pub(crate) fn into_error(e: impl Into<readiness::Error>) -> JsValue {
    let e: readiness::Error = e.into();
    let message = e.to_string();
    let err = ERROR_CLASS
        .with(|c| {
            c.borrow().as_ref().and_then(|class| {
                Reflect::construct(class, &Array::of1(&JsValue::from_str(&message))).ok()
            })
        })
        .unwrap_or_else(|| js_sys::Error::new(&message).into());
    let path = e.path().map_or(JsValue::NULL, JsValue::from_str);
    // Rows are CSV line numbers or array indices: far below 2^53, exact as a JS number.
    let row = e
        .row()
        .map_or(JsValue::NULL, |r| JsValue::from_f64(r as f64));
    for (key, value) in [
        ("name", JsValue::from_str("ReadinessError")),
        ("code", JsValue::from_str(e.code())),
        ("kind", JsValue::from_str(e.kind())),
        ("path", path),
        ("row", row),
    ] {
        // Setting a data property on a fresh Error cannot fail.
        let _ = Reflect::set(&err, &JsValue::from_str(key), &value);
    }
    err
}

/// A JavaScript value that `JSON.stringify` cannot write (a BigInt, a cycle, `undefined`):
/// reported as the engine's syntax error of that input.
pub(crate) fn unserializable(what: &'static str, cause: &JsValue) -> JsValue {
    let detail = cause
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| cause.as_string())
        .unwrap_or_default();
    if what == "rubric" {
        into_error(RubricError::Syntax {
            format: "JSON",
            message: format!("the rubric cannot be written as JSON: {detail}"),
        })
    } else {
        into_error(RatingsError::Syntax {
            location: Location::Input,
            format: "JSON",
            message: format!("the ratings cannot be written as JSON: {detail}"),
        })
    }
}

/// Serializing an engine document cannot fail (plain data, string keys); kept as a real error.
pub(crate) fn not_json(e: serde_json::Error) -> JsValue {
    JsError::new(&e.to_string()).into()
}
