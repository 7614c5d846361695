//! The time the background work sees (reminders, digests, overdue tasks). It is the system
//! clock in service; tests hold a [`Clock::manual`] and move it, so a reminder "24 hours
//! before" is tested without waiting a day.

use std::sync::{Arc, Mutex};

use chrono::{Duration, NaiveDateTime};

/// The system clock, or a manual one shared with a test.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    manual: Option<Arc<Mutex<NaiveDateTime>>>,
}

impl Clock {
    /// A clock that stands at `at` until moved.
    pub fn manual(at: NaiveDateTime) -> Clock {
        Clock {
            manual: Some(Arc::new(Mutex::new(crate::db::truncate_micros(at)))),
        }
    }

    /// Now, in UTC, at the microsecond precision both databases keep.
    pub fn now(&self) -> NaiveDateTime {
        match &self.manual {
            Some(t) => *t.lock().unwrap_or_else(|e| e.into_inner()),
            None => crate::db::now(),
        }
    }

    /// Moves a manual clock (the system clock cannot be moved: nothing happens).
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.manual {
            let mut t = t.lock().unwrap_or_else(|e| e.into_inner());
            *t += by;
        }
    }

    /// Sets a manual clock.
    pub fn set(&self, at: NaiveDateTime) {
        if let Some(t) = &self.manual {
            *t.lock().unwrap_or_else(|e| e.into_inner()) = crate::db::truncate_micros(at);
        }
    }
}
