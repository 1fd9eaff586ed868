//! The plugin calls under way and those that timed out, for whoever shows
//! progress: `iro run`'s progress line names the plugin, metric, authority
//! and year a run is waiting for ([`CallBoard::longest`]), and the pipeline
//! stops a run in which an in-process plugin hung
//! ([`CallBoard::hung_in_process`]). One board per host ([`HostOptions`]),
//! shared by its clones.
//!
//! [`HostOptions`]: crate::HostOptions

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iro_domain::CollectionYear;

use crate::Isolation;
use crate::error::CallTimeout;

/// One call into a plugin: which plugin, metric, authority and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginCall {
    /// The plugin's name, as its descriptor gives it (`sw-changes`).
    pub plugin: String,
    pub metric: String,
    /// The DfE 3-digit code.
    pub la_code: String,
    /// The authority's name, when the reference data know it.
    pub la_name: Option<String>,
    pub year: CollectionYear,
}

impl std::fmt::Display for PluginCall {
    /// `plugin `sw-changes`, metric `sw-changes`, 800 Bath and North East
    /// Somerset, 2024-25`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "plugin `{}`, metric `{}`, {}",
            self.plugin, self.metric, self.la_code
        )?;
        if let Some(name) = &self.la_name {
            write!(f, " {name}")?;
        }
        write!(f, ", {}", self.year.label())
    }
}

/// A call under way: what it is, since when, and how long it may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallUnderWay {
    pub call: PluginCall,
    pub started: Instant,
    /// `None`: no timeout.
    pub timeout: Option<Duration>,
}

impl CallUnderWay {
    pub fn waited(&self) -> Duration {
        self.started.elapsed()
    }
}

impl std::fmt::Display for CallUnderWay {
    /// `plugin `x`, metric `y`, 800 …, 2024-25: 4 s of 300 s`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} s", self.call, self.waited().as_secs())?;
        if let Some(t) = self.timeout {
            write!(f, " of {}", seconds(t))?;
        }
        Ok(())
    }
}

/// A duration in seconds as a person writes it: `3 s`, `2.5 s`.
pub(crate) fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        let text = format!("{s:.3}");
        format!("{} s", text.trim_end_matches('0').trim_end_matches('.'))
    }
}

/// The calls under way and the calls that timed out, shared by the host's
/// plugins (cheap to clone: one board).
#[derive(Debug, Clone, Default)]
pub struct CallBoard {
    inner: Arc<Mutex<Board>>,
}

#[derive(Debug, Default)]
struct Board {
    next: u64,
    under_way: Vec<(u64, CallUnderWay)>,
    timed_out: Vec<CallTimeout>,
}

impl CallBoard {
    fn board(&self) -> std::sync::MutexGuard<'_, Board> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every call under way, the longest waited for first.
    pub fn under_way(&self) -> Vec<CallUnderWay> {
        let mut v: Vec<CallUnderWay> = self
            .board()
            .under_way
            .iter()
            .map(|(_, c)| c.clone())
            .collect();
        v.sort_by_key(|c| c.started);
        v
    }

    /// The call waited for longest, if one has been waited for at least
    /// `min` (a progress line shows it; quicker calls would only flicker).
    pub fn longest(&self, min: Duration) -> Option<CallUnderWay> {
        self.under_way()
            .into_iter()
            .next()
            .filter(|c| c.waited() >= min)
    }

    /// Every call that timed out so far, in the order they did.
    pub fn timed_out(&self) -> Vec<CallTimeout> {
        self.board().timed_out.clone()
    }

    /// Whether a call of `metric` of the plugin at `path` timed out already
    /// (an isolated metric is then called no more in this run).
    pub(crate) fn metric_timed_out(&self, path: &std::path::Path, metric: &str) -> bool {
        self.board()
            .timed_out
            .iter()
            .any(|t| t.path == path && t.call.metric == metric)
    }

    /// The first in-process call that timed out: its thread still runs the
    /// plugin and cannot be stopped, so the run must stop.
    pub fn hung_in_process(&self) -> Option<CallTimeout> {
        self.board()
            .timed_out
            .iter()
            .find(|t| t.isolation == Isolation::InProcess)
            .cloned()
    }

    /// Puts a call on the board until the guard is dropped.
    pub(crate) fn enter(&self, call: PluginCall, timeout: Option<Duration>) -> OnBoard {
        let mut b = self.board();
        let id = b.next;
        b.next += 1;
        b.under_way.push((
            id,
            CallUnderWay {
                call,
                started: Instant::now(),
                timeout,
            },
        ));
        OnBoard {
            board: self.clone(),
            id,
        }
    }

    pub(crate) fn record_timeout(&self, t: CallTimeout) {
        self.board().timed_out.push(t);
    }
}

/// A call on the board; taken off when dropped.
#[derive(Debug)]
pub(crate) struct OnBoard {
    board: CallBoard,
    id: u64,
}

impl Drop for OnBoard {
    fn drop(&mut self) {
        self.board
            .board()
            .under_way
            .retain(|(id, _)| *id != self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(metric: &str) -> PluginCall {
        PluginCall {
            plugin: "sw-changes".into(),
            metric: metric.into(),
            la_code: "800".into(),
            la_name: Some("Bath and North East Somerset".into()),
            year: CollectionYear(2025),
        }
    }

    #[test]
    fn a_call_names_plugin_metric_authority_and_year() {
        assert_eq!(
            call("sw-changes").to_string(),
            "plugin `sw-changes`, metric `sw-changes`, 800 Bath and North East Somerset, 2024-25"
        );
        let unnamed = PluginCall {
            la_name: None,
            ..call("m")
        };
        assert_eq!(
            unnamed.to_string(),
            "plugin `sw-changes`, metric `m`, 800, 2024-25"
        );
    }

    #[test]
    fn seconds_are_written_as_people_write_them() {
        assert_eq!(seconds(Duration::from_secs(3)), "3 s");
        assert_eq!(seconds(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(seconds(Duration::from_millis(250)), "0.25 s");
        assert_eq!(seconds(Duration::from_secs(300)), "300 s");
    }

    #[test]
    fn the_board_holds_a_call_while_it_is_under_way_longest_first() {
        let board = CallBoard::default();
        assert!(board.under_way().is_empty());
        let first = board.enter(call("a"), Some(Duration::from_secs(3)));
        std::thread::sleep(Duration::from_millis(5));
        let second = board.clone().enter(call("b"), None);
        let now = board.under_way();
        assert_eq!(
            now.iter()
                .map(|c| c.call.metric.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(board.longest(Duration::ZERO).unwrap().call.metric, "a");
        assert!(board.longest(Duration::from_secs(60)).is_none());
        let shown = now[0].to_string();
        assert!(shown.ends_with(": 0 s of 3 s"), "{shown}");
        assert!(now[1].to_string().ends_with(": 0 s"), "{}", now[1]);
        drop(first);
        assert_eq!(board.longest(Duration::ZERO).unwrap().call.metric, "b");
        drop(second);
        assert!(board.under_way().is_empty());
    }
}
