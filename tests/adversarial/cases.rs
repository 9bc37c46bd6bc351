//! Reads `tests/adversarial/cases.json` and builds each case's input (the generators for the
//! large ones). Shared by the engine's and the CLI's adversarial tests (`#[path]` include);
//! `runner.py` and `runner.mjs` in this folder do the same for Python and Node.

use serde_json::Value;

/// One case of the table.
#[derive(Debug)]
pub struct Case {
    /// Unique name.
    pub name: String,
    /// `ratings_csv`, `ratings_json`, `rubric_toml` or `rubric_json`.
    pub door: String,
    /// The input text, generated.
    pub input: String,
    /// Expected error codes (any of them), or `None` when the input must be accepted.
    pub errors: Option<Vec<String>>,
    /// For accepted ratings: the number of documents.
    pub documents: Option<usize>,
    /// For accepted ratings: the candidate ids, in order.
    pub candidates: Option<Vec<String>>,
    /// Longest error message allowed.
    pub max_message_bytes: usize,
    /// Texts an error message must not contain.
    pub not_in_message: Vec<String>,
    /// Whether the case generates a large input.
    pub large: bool,
}

/// The folder of the case table.
pub fn dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/adversarial")
}

/// Every case of the table, with its input generated.
pub fn load() -> Vec<Case> {
    let text = std::fs::read_to_string(dir().join("cases.json")).expect("cases.json");
    let doc: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    let defs = &doc["defs"];
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let expect = &c["expect"];
            let errors = match &expect["error"] {
                Value::String(s) => Some(vec![s.clone()]),
                Value::Array(a) => Some(
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect(),
                ),
                _ => None,
            };
            let ok = &expect["ok"];
            Case {
                name: c["name"].as_str().expect("name").to_string(),
                door: c["door"].as_str().expect("door").to_string(),
                input: build(
                    &c["input"],
                    defs,
                    if cfg!(debug_assertions) {
                        c["debug_count_cap"].as_u64()
                    } else {
                        None
                    },
                ),
                errors,
                documents: ok["documents"].as_u64().map(|n| n as usize),
                candidates: ok["candidates"].as_array().map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                }),
                max_message_bytes: expect["max_message_bytes"].as_u64().unwrap_or(1024) as usize,
                not_in_message: expect["not_in_message"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                large: c["large"].as_bool().unwrap_or(false),
            }
        })
        .collect()
}

/// Builds an input: a string, or `{parts: [...]}` (see `about` in cases.json).
pub fn build(input: &Value, defs: &Value, cap: Option<u64>) -> String {
    let Some(parts) = input.get("parts").and_then(Value::as_array) else {
        return input
            .as_str()
            .expect("input is a string or {parts}")
            .to_string();
    };
    let mut out = String::new();
    for p in parts {
        if let Some(s) = p.as_str() {
            out.push_str(s);
        } else if let Some(r) = p.get("repeat").and_then(Value::as_str) {
            let count = p["count"]
                .as_u64()
                .expect("count")
                .min(cap.unwrap_or(u64::MAX));
            let sep = p.get("sep").and_then(Value::as_str).unwrap_or("");
            for i in 0..count {
                if i > 0 {
                    out.push_str(sep);
                }
                out.push_str(&r.replace("{i}", &i.to_string()));
            }
        } else if let Some(name) = p.get("def").and_then(Value::as_str) {
            let mut text = defs[name].as_str().expect("def").to_string();
            if let Some(pairs) = p.get("replace").and_then(Value::as_array) {
                for pair in pairs {
                    let (from, to) = (
                        pair[0].as_str().expect("from"),
                        pair[1].as_str().expect("to"),
                    );
                    assert!(text.contains(from), "replace target {from:?} not in {name}");
                    text = text.replacen(from, to, 1);
                }
            }
            if let Some(n) = p.get("inject_description").and_then(Value::as_u64) {
                let long = "d".repeat(n as usize);
                text = if text.starts_with('{') {
                    text.replacen('{', &format!("{{\"description\": \"{long}\", "), 1)
                } else {
                    text.replacen(
                        "version = \"1\"\n",
                        &format!("version = \"1\"\ndescription = \"{long}\"\n"),
                        1,
                    )
                };
            }
            if p.get("crlf").and_then(Value::as_bool) == Some(true) {
                text = text.replace('\n', "\r\n");
            }
            if let Some(n) = p.get("truncate").and_then(Value::as_u64) {
                text = text.chars().take(n as usize).collect();
            }
            out.push_str(&text);
        } else {
            panic!("unknown part {p}");
        }
    }
    out
}
