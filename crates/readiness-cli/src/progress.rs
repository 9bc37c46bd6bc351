//! Progress on stderr for long runs: nothing for runs under about a second, nothing when stderr
//! is not a terminal (pipes, CI, log files), nothing with `--quiet`.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a run may take before the bar appears.
const DELAY: Duration = Duration::from_millis(1000);

/// A progress bar that stays hidden for the first [`DELAY`] and for good when it should not
/// draw at all. Dropping it clears the line.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: ProgressBar,
    stop: Option<Sender<()>>,
    reveal: Option<JoinHandle<()>>,
}

impl Progress {
    /// A bar (or a spinner, until [`Progress::set_length`]) that draws only when `quiet` is
    /// false and stderr is a terminal.
    pub(crate) fn start(quiet: bool, message: &'static str) -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(spinner_style());
        bar.set_message(message);
        let std_err = std::io::stderr();
        let draws =
            !quiet && std_err.is_terminal() && std::env::var_os("TERM") != Some("dumb".into());
        if !draws {
            return Progress {
                bar,
                stop: None,
                reveal: None,
            };
        }
        let (tx, rx) = mpsc::channel::<()>();
        let shown = bar.clone();
        let reveal = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(DELAY) {
                shown.set_draw_target(ProgressDrawTarget::stderr());
                shown.enable_steady_tick(Duration::from_millis(120));
            }
        });
        Progress {
            bar,
            stop: Some(tx),
            reveal: Some(reveal),
        }
    }

    /// Turns the spinner into a byte bar of `total` bytes.
    pub(crate) fn set_length(&self, total: u64) {
        self.bar.set_length(total);
        self.bar.set_style(bytes_style());
    }

    /// Names the current step.
    pub(crate) fn step(&self, message: &'static str) {
        self.bar.set_style(spinner_style());
        self.bar.set_message(message);
    }

    /// Wraps a reader so that every byte read advances the bar.
    pub(crate) fn wrap_read<R: std::io::Read>(&self, r: R) -> impl std::io::Read {
        self.bar.wrap_read(r)
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // Closing the channel wakes the reveal thread early; it then exits without drawing.
        self.stop.take();
        if let Some(t) = self.reveal.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bytes_style() -> ProgressStyle {
    ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}
