//! Criterion measurements of CPU time (crate `cpu-time`): on a machine shared with other work,
//! wall time also counts the time a thread waited for a core. [`ThreadCpuTime`] counts the
//! benchmarking thread only; [`ProcessCpuTime`] every thread of the process (for the
//! `parallel` feature, whose work runs on rayon's threads).

#![allow(dead_code, reason = "each bench uses one of the two measurements")]

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use std::marker::PhantomData;
use std::time::Duration;

/// A CPU clock of `cpu-time`.
pub trait CpuClock {
    fn now() -> Self;
    fn elapsed(&self) -> Duration;
}

impl CpuClock for cpu_time::ThreadTime {
    fn now() -> Self {
        cpu_time::ThreadTime::now()
    }
    fn elapsed(&self) -> Duration {
        cpu_time::ThreadTime::elapsed(self)
    }
}

impl CpuClock for cpu_time::ProcessTime {
    fn now() -> Self {
        cpu_time::ProcessTime::now()
    }
    fn elapsed(&self) -> Duration {
        cpu_time::ProcessTime::elapsed(self)
    }
}

/// CPU time on clock `C`, shown with criterion's time formatter.
pub struct CpuTime<C> {
    wall: WallTime,
    clock: PhantomData<C>,
}

impl<C> CpuTime<C> {
    pub fn new() -> Self {
        CpuTime {
            wall: WallTime,
            clock: PhantomData,
        }
    }
}

/// CPU time of the benchmarking thread.
pub type ThreadCpuTime = CpuTime<cpu_time::ThreadTime>;
/// CPU time of the whole process (every thread).
pub type ProcessCpuTime = CpuTime<cpu_time::ProcessTime>;

impl<C: CpuClock> Measurement for CpuTime<C> {
    type Intermediate = C;
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        C::now()
    }
    fn end(&self, i: Self::Intermediate) -> Self::Value {
        i.elapsed()
    }
    fn add(&self, v1: &Self::Value, v2: &Self::Value) -> Self::Value {
        *v1 + *v2
    }
    fn zero(&self) -> Self::Value {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Self::Value) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.wall.formatter()
    }
}
