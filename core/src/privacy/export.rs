//! The user's right of access: everything the store holds — the index, what was derived
//! (signals, faces, suggestions), feedback, wishes, consent history and the audit log —
//! as one JSON document. Every table is exported, read in one snapshot, so a table added
//! later cannot be left out by mistake (a test checks each table appears).

use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use crate::Result;

fn cell(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => json!(f),
        ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
        // Blobs (face landmarks) as lowercase hex.
        ValueRef::Blob(b) => json!(crate::digest::hex(b)),
    }
}

/// Every table, every row, as `{"tables": {name: [row objects]}}` plus the schema
/// version. `conn` must be inside one read transaction for a consistent snapshot.
pub(crate) fn all_tables(conn: &Connection, exported_at_ms: i64) -> Result<Value> {
    let mut names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    names.sort();
    let mut tables = Map::new();
    for name in names {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{name}\" ORDER BY rowid"))?;
        let columns: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut obj = Map::new();
            for (i, c) in columns.iter().enumerate() {
                obj.insert(c.clone(), cell(row.get_ref(i)?));
            }
            out.push(Value::Object(obj));
        }
        tables.insert(name, Value::Array(out));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    Ok(json!({
        "format": "keepsake-export",
        "schema_version": version,
        "exported_at_ms": exported_at_ms,
        "tables": tables,
    }))
}
