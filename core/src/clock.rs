//! Time is injected: logic asks a [`Clock`] for "now" and is handed the device's
//! time zone, so "the last 30 days" is testable at any instant, across DST and zones.

use chrono::{DateTime, Utc};

/// Source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant (tests, the harness's `--now`).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The device's time zone: an IANA name such as `Europe/Paris`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceZone(pub chrono_tz::Tz);

impl DeviceZone {
    pub const UTC: DeviceZone = DeviceZone(chrono_tz::UTC);

    /// Parses an IANA zone name. Errors do not echo the name back.
    pub fn parse(name: &str) -> crate::Result<Self> {
        name.trim()
            .parse::<chrono_tz::Tz>()
            .map(DeviceZone)
            .map_err(|_| crate::Error::UnknownTimeZone)
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}
