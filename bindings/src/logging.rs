//! Routes the core's `log` records to the app (logcat on Android, os_log on iOS).

use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

/// Implemented by the app. Called from core threads; must not block.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    fn log(&self, level: LogLevel, target: String, message: String);
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);

struct Bridge;

impl log::Log for Bridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let sink = SINK.read().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(sink) = sink {
            let level = match record.level() {
                log::Level::Error => LogLevel::Error,
                log::Level::Warn => LogLevel::Warn,
                log::Level::Info => LogLevel::Info,
                log::Level::Debug => LogLevel::Debug,
                log::Level::Trace => LogLevel::Trace,
            };
            sink.log(
                level,
                record.target().to_string(),
                record.args().to_string(),
            );
        }
    }

    fn flush(&self) {}
}

static BRIDGE: Bridge = Bridge;

/// Sends core logs at `max_level` and above to `sink` (replacing any earlier sink).
/// Trace level may contain file paths; never enable it in production builds.
#[uniffi::export]
pub fn install_logger(sink: Arc<dyn LogSink>, max_level: LogLevel) {
    *SINK.write().unwrap_or_else(|e| e.into_inner()) = Some(sink);
    // Fails only if another logger was installed first; then ours cannot be, by design of `log`.
    let _ = log::set_logger(&BRIDGE);
    set_log_level(max_level);
}

/// Changes which core logs reach the sink (e.g. `Debug` while the user reproduces a
/// problem). Trace level may contain file paths; never enable it in production builds.
#[uniffi::export]
pub fn set_log_level(max_level: LogLevel) {
    log::set_max_level(match max_level {
        LogLevel::Error => log::LevelFilter::Error,
        LogLevel::Warn => log::LevelFilter::Warn,
        LogLevel::Info => log::LevelFilter::Info,
        LogLevel::Debug => log::LevelFilter::Debug,
        LogLevel::Trace => log::LevelFilter::Trace,
    });
}
