//! Baseline for `readiness assess` throughput: reads a ratings CSV with the `csv` crate alone
//! and does nothing with the records (it only counts them and the bytes of their fields, so
//! the reading cannot be optimised away).
//!
//! The default reader is configured as the engine's CSV reader is (`RatingSet::from_csv_reader`:
//! header row, `Trim::All`, not flexible, `StringRecord` so UTF-8 is checked, a 1 MiB
//! `BufReader` as the CLI uses); `--bytes` reads `ByteRecord`s without trimming, the fastest
//! the crate reads.
//!
//! ```sh
//! cargo run --release -p readiness-cli --example csv_read_baseline -- ratings.csv [--bytes]
//! ```
//!
//! Used by `benches/compare/run` (figures in `benches/RESULTS.md`).
#![allow(
    clippy::print_stdout,
    reason = "a benchmark baseline prints its figures"
)]

use std::io::BufReader;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut path = None;
    let mut bytes = false;
    for arg in std::env::args().skip(1) {
        if arg == "--bytes" {
            bytes = true;
        } else {
            path = Some(arg);
        }
    }
    let path = path.ok_or("usage: csv_read_baseline FILE.csv [--bytes]")?;
    let start = Instant::now();
    let file = BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
    let mut builder = csv::ReaderBuilder::new();
    builder.has_headers(true).flexible(false);
    if !bytes {
        builder.trim(csv::Trim::All);
    }
    let mut rdr = builder.from_reader(file);
    let (mut records, mut field_bytes) = (0u64, 0u64);
    if bytes {
        let mut record = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut record)? {
            records += 1;
            field_bytes += record.as_slice().len() as u64;
        }
    } else {
        let mut record = csv::StringRecord::new();
        while rdr.read_record(&mut record)? {
            records += 1;
            field_bytes += record.as_slice().len() as u64;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "records {records} field_bytes {field_bytes} seconds {secs:.3} records_per_s {:.0}",
        records as f64 / secs
    );
    Ok(())
}
