//! The child-level list behind the timeliness figures: every review held in the
//! year with its due date and status, every review overdue at the year end, and
//! every flagged case. Personal data: the engine writes it only on request.

use chrono::NaiveDate;
use iro_domain::CollectionYear;
use iro_metric_api::DrillDown;

use crate::{CareKind, ChildSink, DueEvent, Flag, ReviewEvent, Sink, Status};

pub const COLUMNS: &[&str] = &[
    "CHILD",
    "care_type",
    "review",
    "REVIEW",
    "due",
    "status",
    "days_late",
];

/// Collects one year's rows, child by child.
#[derive(Debug)]
pub struct DrillDownSink {
    year: CollectionYear,
    child: String,
    rows: Vec<Vec<String>>,
}

fn care_type(kind: CareKind) -> &'static str {
    match kind {
        CareKind::Ordinary => "ordinary",
        CareKind::ShortBreaks => "short breaks",
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

impl DrillDownSink {
    pub fn new(year: CollectionYear) -> Self {
        DrillDownSink {
            year,
            child: String::new(),
            rows: Vec::new(),
        }
    }

    /// The CHILD the next events belong to.
    pub fn set_child(&mut self, child: &str) {
        self.child.clear();
        self.child.push_str(child);
    }

    pub fn finish(self) -> DrillDown {
        DrillDown {
            name: "reviews",
            title: "Reviews held, overdue and flagged, child by child",
            columns: COLUMNS,
            rows: self.rows,
        }
    }
}

impl Sink for DrillDownSink {
    fn review(&mut self, ev: &ReviewEvent) {
        if !self.year.contains(ev.date) {
            return;
        }
        let (status, late) = match ev.status {
            Status::OnTime => ("on time", String::new()),
            Status::Late { days } => ("late", days.to_string()),
            Status::NotAssessable => ("not assessable", String::new()),
        };
        self.rows.push(vec![
            self.child.clone(),
            care_type(ev.kind).into(),
            ev.seq.label().into(),
            date(Some(ev.date)),
            date(ev.due),
            status.into(),
            late,
        ]);
    }

    fn due(&mut self, ev: &DueEvent<'_>) {
        let end = self.year.end();
        let overdue =
            ev.counts && self.year.contains(ev.due) && ev.held.is_none_or(|held| held > end);
        if overdue {
            self.rows.push(vec![
                self.child.clone(),
                care_type(ev.track.kind).into(),
                ev.seq.label().into(),
                String::new(),
                date(Some(ev.due)),
                "overdue at 31 March".into(),
                (end - ev.due).num_days().to_string(),
            ]);
        }
    }

    fn flag(&mut self, on: NaiveDate, flag: Flag) {
        if self.year.contains(on) {
            self.rows.push(vec![
                self.child.clone(),
                String::new(),
                String::new(),
                date(Some(on)),
                String::new(),
                format!("flag: {}", flag.label()),
                String::new(),
            ]);
        }
    }
}

impl ChildSink for DrillDownSink {
    fn begin_child(&mut self) {}
    fn end_child(&mut self) {}
}
