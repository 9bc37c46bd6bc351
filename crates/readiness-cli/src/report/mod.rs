//! `readiness report`: the cohort report for people who will not read JSON — one
//! self-contained HTML file (inline CSS and SVG, nothing fetched, no script) or Markdown for
//! wikis and pull requests. Every number comes from `readiness::cohort::cohort_report` and from
//! the candidates' anonymity-protected assessment documents; this module only lays them out.

mod html;
mod md;
mod model;

use crate::progress::Progress;
use crate::{load_rubric, read_text, write_output, Failure, EXIT_INPUT};
use clap::{Args, ValueEnum};
use readiness::cohort::anonymity::protect;
use readiness::cohort::inputs::{parse_attributes, parse_decisions, parse_overrides};
use readiness::cohort::{cohort_report, CohortInputs};
use readiness::{Assessment, Engine, RatingSet, Rubric};
use std::path::{Path, PathBuf};

/// Arguments of `readiness report`.
#[derive(Args, Debug)]
pub(crate) struct ReportArgs {
    /// Rubric file (TOML or JSON); the built-in standard rubric when absent.
    #[arg(long, value_name = "FILE")]
    rubric: Option<PathBuf>,
    /// Ratings: CSV (optional `cycle` column for trends) or a JSON array (by the .json
    /// extension); `-` reads CSV from stdin.
    ratings: PathBuf,
    /// Attributes CSV: a `candidate` column and any attribute columns (gender, site, …).
    #[arg(long, value_name = "FILE")]
    attributes: Option<PathBuf>,
    /// Past decisions CSV: `candidate,promoted[,date]`.
    #[arg(long, value_name = "FILE")]
    decisions: Option<PathBuf>,
    /// Overrides CSV: `candidate,level,reason,author,date[,cycle]`; every override needs a reason.
    #[arg(long, value_name = "FILE")]
    overrides: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    format: ReportFormat,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Output formats of `report`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
enum ReportFormat {
    /// One self-contained HTML file, for screen and print.
    Html,
    /// Markdown tables, for wikis and pull requests.
    Md,
}

/// Runs `readiness report`.
pub(crate) fn run(args: ReportArgs, quiet: bool) -> Result<(), Failure> {
    let progress = Progress::start(quiet, "reading ratings");
    let rubric = load_rubric(args.rubric.as_deref())?;
    let set = read_ratings(&args.ratings, &rubric, &progress)?;
    progress.step("reading input tables");
    let input = |p: &Path, e: readiness::error::CohortError| Failure::input(p, e);
    let mut inputs = CohortInputs::default();
    if let Some(p) = &args.attributes {
        inputs.attributes = Some(parse_attributes(&read_text(p)?, &set).map_err(|e| input(p, e))?);
    }
    if let Some(p) = &args.decisions {
        inputs.decisions = Some(parse_decisions(&read_text(p)?, &set).map_err(|e| input(p, e))?);
    }
    if let Some(p) = &args.overrides {
        inputs.overrides =
            parse_overrides(&read_text(p)?, &set, &rubric).map_err(|e| input(p, e))?;
    }
    progress.step("computing the cohort report");
    let invalid = |e: readiness::Error| Failure {
        code: EXIT_INPUT,
        message: format!("{}: {e}", args.ratings.display()),
    };
    let report = cohort_report(&set, &rubric, &inputs).map_err(invalid)?;
    progress.step("assessing candidates");
    let docs = assessments(&rubric, &set).map_err(invalid)?;
    progress.step("writing the report");
    let view = model::View::new(&report, &docs, &rubric);
    let text = match args.format {
        ReportFormat::Html => html::render(&view),
        ReportFormat::Md => md::render(&view),
    };
    drop(progress);
    write_output(args.out.as_deref(), &text)
}

/// Every candidate's assessment with the anonymity protection the cohort report applies, so
/// that the cards show exactly the breakdowns the documents show.
fn assessments(rubric: &Rubric, set: &RatingSet) -> Result<Vec<Assessment>, readiness::Error> {
    let engine = Engine::new(rubric.clone())?;
    let mut docs = engine.assess(set).into_assessments()?;
    protect(&mut docs, rubric, set);
    Ok(docs)
}

/// `Engine::assess` as it returns today (`Vec`) or once a rater adjustment can fail
/// (`Result<Vec, Error>`): either way a `Result`.
trait IntoAssessments {
    fn into_assessments(self) -> Result<Vec<Assessment>, readiness::Error>;
}

impl IntoAssessments for Vec<Assessment> {
    fn into_assessments(self) -> Result<Vec<Assessment>, readiness::Error> {
        Ok(self)
    }
}

impl<E: Into<readiness::Error>> IntoAssessments for Result<Vec<Assessment>, E> {
    fn into_assessments(self) -> Result<Vec<Assessment>, readiness::Error> {
        self.map_err(Into::into)
    }
}

/// Reads the ratings once, streaming CSV (from a file or stdin) through the progress bar.
fn read_ratings(path: &Path, rubric: &Rubric, progress: &Progress) -> Result<RatingSet, Failure> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json {
        let text = read_text(path)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        RatingSet::from_json_str(text, rubric)
    } else if path == Path::new("-") {
        let stdin = std::io::stdin().lock();
        RatingSet::from_csv_reader(
            std::io::BufReader::with_capacity(1 << 20, progress.wrap_read(stdin)),
            rubric,
        )
    } else {
        let file = std::fs::File::open(path).map_err(|e| Failure::io(path, e))?;
        if let Ok(m) = file.metadata() {
            progress.set_length(m.len());
        }
        RatingSet::from_csv_reader(
            std::io::BufReader::with_capacity(1 << 20, progress.wrap_read(file)),
            rubric,
        )
    };
    parsed.map_err(|e| match &e {
        readiness::RatingsError::Syntax { message, .. } if message.starts_with("read error") => {
            Failure::io(path, e)
        }
        _ => Failure::input(path, e),
    })
}
