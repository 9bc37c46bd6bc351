//! Writes the engine's JSON Schemas (`readiness::schema::all()`) into the directory given as the
//! first argument. The npm build uses it only when the repository's `schema/` has not been
//! generated yet; both come from the same `readiness::schema` functions.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    for (name, schema) in readiness::schema::all() {
        std::fs::write(dir.join(name), readiness::schema::to_pretty(&schema))?;
    }
    Ok(())
}
