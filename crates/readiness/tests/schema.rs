//! The committed JSON Schemas match the Rust types, and documents validate against them.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use readiness::Engine;

#[test]
fn committed_schemas_match_the_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema");
    for (name, schema) in readiness::schema::all() {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            committed == readiness::schema::to_pretty(&schema),
            "schema/{name} is out of date: run `cargo run -p readiness --example write_schemas`"
        );
    }
}

#[test]
fn assessment_documents_have_exactly_the_schema_fields() {
    let schema = serde_json::to_value(readiness::schema::assessment_schema()).unwrap();
    let item = &schema["items"]["$ref"];
    assert_eq!(item, "#/$defs/Assessment");
    let props = schema["$defs"]["Assessment"]["properties"]
        .as_object()
        .unwrap();
    let engine = Engine::standard();
    let doc = engine
        .assess_csv("candidate,rater,group,criterion,score\ne,m,manager,listens,4\n")
        .unwrap()
        .remove(0);
    let value = serde_json::to_value(&doc).unwrap();
    for key in value.as_object().unwrap().keys() {
        assert!(props.contains_key(key), "{key} not in schema");
    }
    for key in [
        "candidate",
        "readiness",
        "dimensions",
        "technical",
        "flags",
        "strengths",
        "development",
        "provenance",
    ] {
        assert!(props.contains_key(key), "{key}");
    }
}
