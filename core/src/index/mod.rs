//! The on-device SQLite store: WAL mode, exactly one writer connection and a small pool
//! of readers. Write functions take a `&Transaction`, read functions a `&Connection`.
//! The schema is versioned with `PRAGMA user_version`; migrations are SQL files.

pub(crate) mod assets;
pub(crate) mod location;
pub(crate) mod meta;
mod migrations;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, InterruptHandle, OpenFlags, Transaction, TransactionBehavior};

use crate::{Error, Result};

pub use self::migrations::SCHEMA_VERSION;

/// A waiting writer or reader gives up after this long instead of blocking forever.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_IDLE_READERS: usize = 4;

/// The database: one writer, pooled readers, and a lock file that keeps a second store
/// (in this process or another) from opening the same database.
pub struct Db {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
    interrupt: InterruptHandle,
    _lock: File,
}

/// On close, readers go first and the writer folds the WAL into the database and
/// truncates it, so no derived data lingers in a side file between sessions and the
/// database file alone is the store (a damaged one is then detectable at open).
impl Drop for Db {
    fn drop(&mut self) {
        lock(&self.readers).clear();
        if let Err(e) = checkpoint_truncate(&lock(&self.writer)) {
            log::debug!("checkpoint at close failed: {e}");
        }
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No path: it may name the user.
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

impl Db {
    pub fn open(path: &Path) -> Result<Db> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock_path(path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::StoreInUse),
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::Io(e)),
        }
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| corrupt_or(e, "not a database"))?;
        migrations::migrate(&mut writer).map_err(|e| match e {
            Error::Database(d) => corrupt_or(d, "damaged schema"),
            other => other,
        })?;
        integrity_check(&writer)?;
        let interrupt = writer.get_interrupt_handle();
        Ok(Db {
            path: path.to_path_buf(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
            interrupt,
            _lock: lock,
        })
    }

    /// Runs `f` in an immediate write transaction, committed when `f` succeeds.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a reader connection (a consistent snapshot for the call).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = lock(&self.readers).pop();
        let conn = match pooled {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&c)?;
                c
            }
        };
        let out = {
            let tx = conn.unchecked_transaction()?;
            let out = f(&tx);
            drop(tx);
            out
        };
        let mut pool = lock(&self.readers);
        if pool.len() < MAX_IDLE_READERS {
            pool.push(conn);
        }
        out
    }

    /// Interrupts the statement running on the writer (long scans, vacuum).
    pub fn interrupt(&self) {
        self.interrupt.interrupt();
    }

    /// Erases free pages and the WAL: checkpoint and truncate the WAL, VACUUM, and
    /// truncate again (VACUUM in WAL mode writes through the WAL). Idle readers are
    /// closed first so nothing holds an old snapshot. Returns the database file size.
    pub fn compact(&self) -> Result<u64> {
        lock(&self.readers).clear();
        let conn = lock(&self.writer);
        checkpoint_truncate(&conn)?;
        conn.execute_batch("VACUUM")?;
        checkpoint_truncate(&conn)?;
        Ok(std::fs::metadata(&self.path)?.len())
    }

    /// Paths of every file SQLite keeps for this database (for privacy checks).
    pub fn files(&self) -> Vec<PathBuf> {
        Db::files_for(&self.path)
    }

    /// The database, its WAL and its shared-memory file.
    pub fn files_for(path: &Path) -> Vec<PathBuf> {
        let mut wal = path.to_path_buf().into_os_string();
        wal.push("-wal");
        let mut shm = path.to_path_buf().into_os_string();
        shm.push("-shm");
        vec![path.to_path_buf(), wal.into(), shm.into()]
    }
}

/// Overwrites a file with zeros, syncs it and removes it; returns its former size (0 when
/// it did not exist).
pub(crate) fn erase_file(path: &Path) -> Result<u64> {
    use std::io::Write;
    let len = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut f = OpenOptions::new().write(true).open(path)?;
    let zeros = vec![0u8; 1 << 16];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        f.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(path)?;
    Ok(len)
}

fn checkpoint_truncate(conn: &Connection) -> Result<()> {
    let (busy, _log, _done): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        return Err(Error::Database(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("checkpoint blocked by an open reader".into()),
        )));
    }
    Ok(())
}

/// Per-connection settings. `secure_delete` zeroes deleted content; temporary tables
/// and sort spills stay in memory so no side file ever holds photo data.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA synchronous = NORMAL;",
    )
    .map_err(|e| corrupt_or(e, "not a database"))?;
    Ok(())
}

/// A damaged file (torn pages, truncation, garbage) is detected at open, not at the first
/// query that happens to touch the bad page: `quick_check` reads every page once (a few
/// milliseconds for a library of thousands of photos).
fn integrity_check(conn: &Connection) -> Result<()> {
    let mut stmt = conn
        .prepare("PRAGMA quick_check")
        .map_err(|e| corrupt_or(e, "unreadable"))?;
    let verdicts: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| corrupt_or(e, "unreadable pages"))?;
    if verdicts.len() == 1 && verdicts[0] == "ok" {
        Ok(())
    } else {
        Err(Error::CorruptStore(format!(
            "integrity check found {} problems",
            verdicts.len()
        )))
    }
}

fn corrupt_or(e: rusqlite::Error, what: &str) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::CorruptStore(what.to_string())
        }
        _ => Error::Database(e),
    }
}

fn lock_path(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf().into_os_string();
    p.push(".lock");
    p.into()
}

/// A poisoned lock only means another thread panicked mid-call; the connection itself
/// is still valid (an open transaction was rolled back when it was dropped).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
