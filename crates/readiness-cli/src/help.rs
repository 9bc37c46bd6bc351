//! The clap command with the exit codes documented under every subcommand's `--help`, and
//! `readiness completions SHELL`.

use crate::{write_output, Cli, Failure, EXIT_IO};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Appended to every subcommand's help, after its examples.
pub(crate) const EXIT_CODES: &str = "Exit codes:\n  0  success\n  2  usage error (unknown option, missing argument)\n  3  invalid input (rubric, ratings or an input table; the message names the file and row)\n  4  I/O error (a file cannot be read or written, or would be overwritten)";

/// The full command line: [`Cli`] with [`EXIT_CODES`] under every subcommand.
pub(crate) fn command() -> clap::Command {
    with_exit_codes(Cli::command())
}

fn with_exit_codes(cmd: clap::Command) -> clap::Command {
    cmd.mut_subcommands(|sub| {
        let text = match sub.get_after_help() {
            Some(h) => format!("{h}\n\n{EXIT_CODES}"),
            None => EXIT_CODES.to_string(),
        };
        with_exit_codes(sub.after_help(text))
    })
}

/// Arguments of `readiness completions`.
#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// Shell to write completions for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the completion script of `shell` to stdout.
pub(crate) fn completions(args: CompletionsArgs) -> Result<(), Failure> {
    let mut cmd = command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "readiness", &mut buf);
    let text = String::from_utf8(buf).map_err(|e| Failure {
        code: EXIT_IO,
        message: format!("cannot write completions: {e}"),
    })?;
    write_output(None, &text)
}
