//! The `readiness` command line: rubric ratings in, readiness assessments out.

use clap::{Parser, Subcommand, ValueEnum};
use readiness::{Engine, RatingSet, Rubric};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod cohort_cmd;
mod help;
mod init_cmd;
mod output;
mod progress;
mod report;
mod stats_cmd;

/// Exit code for bad usage (clap's own).
const EXIT_USAGE: u8 = 2;
/// Exit code for invalid input (rubric or ratings).
const EXIT_INPUT: u8 = 3;
/// Exit code for a file that cannot be read or written.
const EXIT_IO: u8 = 4;

#[derive(Parser, Debug)]
#[command(
    name = "readiness",
    version,
    about = "Promotion readiness from rubric ratings: leadership, attitude and impact scored apart from technical expertise.",
    after_help = "Examples:\n  readiness assess examples/data/cohort.csv\n  readiness assess --rubric my.toml ratings.csv --format json --out assessments.json\n  readiness rubric show > my-rubric.toml\n  readiness rubric validate my-rubric.toml\n\nExit codes: 0 success, 2 usage, 3 invalid input, 4 I/O error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// No progress bar on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Assess every candidate in a ratings file.
    #[command(
        after_help = "Examples:\n  readiness assess examples/data/cohort.csv\n  readiness assess ratings.csv --format csv --out readiness.csv\n  cat ratings.csv | readiness assess - --format jsonl\n\nCandidates are scored on all cores; RAYON_NUM_THREADS=N limits the threads (same results)."
    )]
    Assess {
        /// Rubric file (TOML or JSON); the built-in standard rubric when absent.
        #[arg(long, value_name = "FILE")]
        rubric: Option<PathBuf>,
        /// Ratings: CSV (header candidate, rater, group, criterion, score; optional cycle, comment) or a JSON
        /// array (by the .json extension); `-` reads CSV from stdin.
        ratings: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write to FILE (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Reliability table per dimension (ICC, alphas, rwg(J), Koo & Li bands) and rater effects.
    #[command(
        after_help = "Examples:\n  readiness stats examples/data/cohort.csv\n  readiness stats --rubric my.toml ratings.csv --format json"
    )]
    Stats(stats_cmd::StatsArgs),
    /// Cohort report: ranking, 9-box, reliability, calibration, fairness, decision audit,
    /// trends, overrides.
    #[command(
        after_help = "Examples:\n  readiness cohort examples/data/cohort.csv --attributes examples/data/attributes.csv --decisions examples/data/decisions.csv\n  readiness cohort ratings.csv --overrides overrides.csv --format md --out report.md"
    )]
    Cohort(cohort_cmd::CohortArgs),
    /// The cohort report as one self-contained HTML file (screen and print) or as Markdown.
    #[command(
        after_help = "Examples:\n  readiness report examples/data/cohort.csv --attributes examples/data/attributes.csv --decisions examples/data/decisions.csv --overrides examples/data/overrides.csv --out report.html\n  readiness report ratings.csv --format md --out REPORT.md\n  cat ratings.csv | readiness report - --quiet > report.html"
    )]
    Report(report::ReportArgs),
    /// Start a project: a starter rubric (commented) and a sample ratings CSV in DIR.
    #[command(after_help = "Examples:\n  readiness init my-review\n  readiness init . --force")]
    Init(init_cmd::InitArgs),
    /// Shell completions, generated from this command line.
    #[command(
        after_help = "Examples:\n  readiness completions bash > ~/.local/share/bash-completion/completions/readiness\n  readiness completions zsh > ~/.zfunc/_readiness\n  readiness completions fish > ~/.config/fish/completions/readiness.fish\n  readiness completions powershell >> $PROFILE"
    )]
    Completions(help::CompletionsArgs),
    /// Work with rubric files.
    Rubric {
        #[command(subcommand)]
        command: RubricCommand,
    },
}

#[derive(Subcommand, Debug)]
enum RubricCommand {
    /// Check a rubric file and report the first problem with its path.
    #[command(after_help = "Example:\n  readiness rubric validate my-rubric.toml")]
    Validate {
        /// Rubric file (TOML or JSON).
        file: PathBuf,
    },
    /// Print a rubric as TOML; without FILE the commented standard rubric (a starting point).
    #[command(
        after_help = "Examples:\n  readiness rubric show > my-rubric.toml\n  readiness rubric show my-rubric.json"
    )]
    Show {
        /// Rubric file (TOML or JSON).
        file: Option<PathBuf>,
    },
}

/// Output formats of `assess`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    /// A readable summary table.
    Table,
    /// A JSON array of assessment documents.
    Json,
    /// One assessment document per line.
    Jsonl,
    /// One row per candidate.
    Csv,
}

/// A failure with its exit code and a one-line message.
#[derive(Debug)]
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn input(file: &Path, e: impl std::fmt::Display) -> Failure {
        Failure {
            code: EXIT_INPUT,
            message: format!("{}: {e}", file.display()),
        }
    }

    fn io(file: &Path, e: impl std::fmt::Display) -> Failure {
        Failure {
            code: EXIT_IO,
            message: format!("{}: {e}", file.display()),
        }
    }
}

fn main() -> ExitCode {
    let parsed = help::command()
        .try_get_matches()
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let _busy = matches!(cli.command, Command::Assess { .. } | Command::Cohort(_))
        .then(|| progress::Progress::start(cli.quiet, "working"));
    match cli.command {
        Command::Assess {
            rubric,
            ratings,
            format,
            out,
        } => {
            let rubric = load_rubric(rubric.as_deref())?;
            let engine = Engine::new(rubric).map_err(|e| Failure {
                code: EXIT_INPUT,
                message: e.to_string(),
            })?;
            let set = load_ratings(&ratings, engine.rubric())?;
            let text = output::assess(&engine, &set, format, &ratings)?;
            write_output(out.as_deref(), &text)?;
            // The process ends here: the system reclaims the memory at once, while freeing
            // the ratings (a million ids on 16M ratings) piece by piece takes a tenth of a second.
            std::mem::forget((set, text));
            Ok(())
        }
        Command::Stats(args) => stats_cmd::run(args),
        Command::Cohort(args) => cohort_cmd::run(args),
        Command::Report(args) => report::run(args, cli.quiet),
        Command::Init(args) => init_cmd::run(args),
        Command::Completions(args) => help::completions(args),
        Command::Rubric { command } => match command {
            RubricCommand::Validate { file } => {
                let r = load_rubric(Some(&file))?;
                let n: usize = r.dimensions.iter().map(|d| d.criteria.len()).sum();
                write_output(
                    None,
                    &format!(
                        "{}: valid rubric {} ({} dimensions, {} criteria, {} levels), {}\n",
                        file.display(),
                        r.label(),
                        r.dimensions.len(),
                        n,
                        r.policy.levels.len(),
                        r.fingerprint()
                    ),
                )
            }
            RubricCommand::Show { file } => match file {
                None => write_output(None, readiness::rubric::STANDARD_TOML),
                Some(file) => {
                    let r = load_rubric(Some(&file))?;
                    let text = r.to_toml_string().map_err(|e| Failure::input(&file, e))?;
                    write_output(None, &text)
                }
            },
        },
    }
}

fn read_text(path: &Path) -> Result<String, Failure> {
    if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::io(path, e))?;
        return Ok(s);
    }
    let bytes = std::fs::read(path).map_err(|e| Failure::io(path, e))?;
    String::from_utf8(bytes).map_err(|e| {
        Failure::input(
            path,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn load_rubric(path: Option<&Path>) -> Result<Rubric, Failure> {
    let Some(path) = path else {
        return Ok(Rubric::standard());
    };
    let text = read_text(path)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let parsed = if is_json(path) {
        Rubric::from_json_str(text)
    } else {
        Rubric::from_toml_str(text)
    };
    parsed.map_err(|e| Failure::input(path, e))
}

fn load_ratings(path: &Path, rubric: &Rubric) -> Result<RatingSet, Failure> {
    let parsed = if is_json(path) {
        let text = read_text(path)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        RatingSet::from_json_str(text, rubric)
    } else if path == Path::new("-") {
        RatingSet::from_csv_reader(std::io::stdin().lock(), rubric)
    } else {
        let file = std::fs::File::open(path).map_err(|e| Failure::io(path, e))?;
        RatingSet::from_csv_reader(std::io::BufReader::with_capacity(1 << 20, file), rubric)
    };
    parsed.map_err(|e| match &e {
        readiness::RatingsError::Syntax { message, .. } if message.starts_with("read error") => {
            Failure::io(path, e)
        }
        _ => Failure::input(path, e),
    })
}

/// Writes to stdout, or to `out` atomically: a temporary file in the same folder, renamed
/// into place only once fully written.
///
/// Only regular files are replaced that way. A symlink is followed (the file it points to is
/// replaced, the link stays), and anything that is not a regular file (`/dev/null`, a FIFO, a
/// terminal) is written in place: renaming over it would replace a device with a file.
fn write_output(out: Option<&Path>, text: &str) -> Result<(), Failure> {
    let Some(out) = out else {
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => Ok(()),
            // A closed pipe (`| head`) is not an error of ours.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(Failure::io(Path::new("<stdout>"), e)),
        };
    };
    let resolved;
    let out = match std::fs::metadata(out) {
        Ok(meta) if !meta.is_file() => {
            return std::fs::OpenOptions::new()
                .write(true)
                .open(out)
                .and_then(|mut f| f.write_all(text.as_bytes()))
                .map_err(|e| Failure::io(out, e));
        }
        Ok(_) if out.is_symlink() => {
            resolved = std::fs::canonicalize(out).map_err(|e| Failure::io(out, e))?;
            resolved.as_path()
        }
        _ => out,
    };
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, out)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Failure::io(out, e));
    }
    Ok(())
}
