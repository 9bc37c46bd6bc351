//! Writes `schema/*.schema.json` from the Rust types (the one source of truth for bindings).
//!
//! ```text
//! cargo run -p readiness --example write_schemas
//! ```
//! `tests/schema.rs` fails when the committed files drift from the types.

fn main() -> std::io::Result<()> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema");
    std::fs::create_dir_all(&dir)?;
    for (name, schema) in readiness::schema::all() {
        std::fs::write(dir.join(name), readiness::schema::to_pretty(&schema))?;
        eprintln!("wrote schema/{name}");
    }
    Ok(())
}
