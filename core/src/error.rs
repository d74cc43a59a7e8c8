//! The core's one error type. Messages never carry personal data (paths, GPS, names,
//! EXIF values): they end up in app logs and crash reports.

use crate::privacy::Scope;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core. The bindings map these onto a smaller,
/// app-facing error type in one place.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite failed. rusqlite's messages name tables and constraints, never values.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A file or directory could not be read or written. `io::Error`'s text is the OS
    /// message only; callers never attach the path.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// Processing that needs consent was asked for before it was granted.
    #[error("consent required for scope `{0}`")]
    ConsentRequired(Scope),
    /// Another `Keepsake` (in this or another process) has the database open.
    #[error("the store is already open elsewhere")]
    StoreInUse,
    /// The database was written by a newer version of the library.
    #[error("database schema version {found} is newer than the supported {supported}")]
    SchemaTooNew { found: u32, supported: u32 },
    /// The database file is damaged or is not a Keepsake database.
    #[error("database is corrupt or not a Keepsake store: {0}")]
    CorruptStore(String),
    /// An argument was out of range or malformed; the text names the argument, not its value.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A line of a records file or a host record could not be used.
    #[error("invalid record at line {line}: {reason}")]
    InvalidRecord { line: u64, reason: String },
    /// The time zone name is not in the IANA database.
    #[error("unknown time zone")]
    UnknownTimeZone,
    /// The caller cancelled the operation; work committed before that is kept.
    #[error("operation cancelled")]
    Cancelled,
    /// The given path is not a directory (or does not exist).
    #[error("not a directory")]
    NotADirectory,
    /// What was asked for does not exist (any more); the text names what, not its id.
    #[error("not found: {0}")]
    NotFound(&'static str),
}

impl Error {
    /// A short, stable, machine-readable kind, for summaries and for the bindings.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Database(_) => "database",
            Error::Io(_) => "io",
            Error::ConsentRequired(_) => "consent_required",
            Error::StoreInUse => "store_in_use",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::CorruptStore(_) => "corrupt_store",
            Error::InvalidArgument(_) => "invalid_argument",
            Error::InvalidRecord { .. } => "invalid_record",
            Error::UnknownTimeZone => "unknown_time_zone",
            Error::Cancelled => "cancelled",
            Error::NotADirectory => "not_a_directory",
            Error::NotFound(_) => "not_found",
        }
    }
}
