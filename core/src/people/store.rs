//! People in the store: descriptors, people, the user's word on them and exclusions.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{named_params, params, Connection, OptionalExtension, Transaction};
use serde::Serialize;

use super::embed::DIM;
use super::group::{Feedback, GroupFace};
use crate::index::location::{self, HAS_FILE};
use crate::pixels::Location;
use crate::{Error, Result};

/// Where the next person id is kept, so ids are never reused.
const NEXT_ID_KEY: &str = "next_person_id";
/// How many descriptors of an excluded person are kept to recognise them.
pub const BLOCKLIST_MAX: usize = 32;

pub(crate) fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub(crate) fn from_blob(b: &[u8]) -> Option<Vec<f32>> {
    (b.len() == DIM * 4).then(|| {
        b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    })
}

/// Before face data is purged: excluded people's faces become position-based exclusions.
pub(crate) fn keep_exclusions_as_boxes(tx: &Transaction<'_>, now_ms: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO face_exclusions (asset_id, x, y, w, h, created_at_ms)
         SELECT f.asset_id, f.x, f.y, f.w, f.h, ?1
         FROM faces f JOIN face_persons fp ON fp.face_id = f.id
                      JOIN persons p ON p.id = fp.person_id
         WHERE p.excluded = 1 AND NOT EXISTS (
             SELECT 1 FROM face_exclusions e WHERE e.asset_id = f.asset_id
               AND abs(e.x - f.x) < 0.5 AND abs(e.y - f.y) < 0.5
               AND abs(e.w - f.w) < 0.5 AND abs(e.h - f.h) < 0.5)",
        [now_ms],
    )?;
    Ok(())
}

/// A face waiting for its descriptor.
#[derive(Debug, Clone)]
pub(crate) struct PendingFace {
    pub id: i64,
    /// Upright original pixels.
    pub landmarks: [[f32; 2]; 5],
    pub frontal: Option<f64>,
    pub eye_sharpness: Option<f64>,
}

impl PendingFace {
    pub fn eyes(&self) -> f32 {
        let [a, b] = [self.landmarks[0], self.landmarks[1]];
        (a[0] - b[0]).hypot(a[1] - b[1])
    }
}

/// A photo with faces waiting for descriptors.
#[derive(Debug, Clone)]
pub(crate) struct PendingPhoto {
    pub asset_id: i64,
    pub location: Location,
    /// Long side of the original, when known.
    pub long_side: Option<u32>,
    pub faces: Vec<PendingFace>,
}

const PENDING: &str = "
    FROM faces f JOIN assets a ON a.id = f.asset_id
    LEFT JOIN face_embeddings e ON e.face_id = f.id
    WHERE (e.face_id IS NULL OR (e.model_sha256 != :sha AND coalesce(e.error, '') != 'excluded'))";

/// (faces waiting in photos with a readable file, faces in host photos without one).
pub(crate) fn pending_counts(conn: &Connection, sha: &str) -> Result<(u64, u64)> {
    location::readable_counts(conn, PENDING, named_params! {":sha": sha})
}

/// The next photos (up to `limit`, by asset id after `after`) whose faces need
/// descriptors from model `sha`; host photos only `with_host`.
pub(crate) fn pending(
    conn: &Connection,
    sha: &str,
    with_host: bool,
    after: i64,
    limit: usize,
) -> Result<Vec<PendingPhoto>> {
    let root = location::folder_root(conn)?;
    let sql = format!(
        "SELECT a.id, max(a.width, a.height), {cols}, f.id, f.landmarks, f.frontal, f.eye_sharpness
         {PENDING} AND (:with_host OR {HAS_FILE})
           AND a.id IN (SELECT DISTINCT f2.asset_id FROM faces f2 JOIN assets a ON a.id = f2.asset_id
                        LEFT JOIN face_embeddings e2 ON e2.face_id = f2.id
                        WHERE (e2.face_id IS NULL OR (e2.model_sha256 != :sha
                               AND coalesce(e2.error, '') != 'excluded'))
                          AND (:with_host OR {HAS_FILE}) AND f2.asset_id > :after
                        ORDER BY f2.asset_id LIMIT :limit)
         ORDER BY a.id, f.id",
        cols = location::COLUMNS
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(named_params! {
        ":sha": sha,
        ":with_host": with_host,
        ":after": after,
        ":limit": limit as i64,
    })?;
    let mut out: Vec<PendingPhoto> = Vec::new();
    while let Some(r) = rows.next()? {
        let asset_id: i64 = r.get(0)?;
        if out.last().is_none_or(|p| p.asset_id != asset_id) {
            out.push(PendingPhoto {
                asset_id,
                location: Location::of(location::row(r, 2)?, root.as_deref()),
                long_side: r.get(1)?,
                faces: Vec::new(),
            });
        }
        let lm: Option<Vec<u8>> = r.get(12)?;
        let mut landmarks = [[f32::NAN; 2]; 5];
        if let Some(lm) = lm.filter(|b| b.len() == 40) {
            for (i, c) in lm.chunks_exact(4).enumerate() {
                landmarks[i / 2][i % 2] = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            }
        }
        if let Some(p) = out.last_mut() {
            p.faces.push(PendingFace {
                id: r.get(11)?,
                landmarks,
                frontal: r.get(13)?,
                eye_sharpness: r.get(14)?,
            });
        }
    }
    Ok(out)
}

/// A face's descriptor, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Embedded {
    pub face_id: i64,
    pub asset_id: i64,
    pub embedding: Option<Vec<f32>>,
    pub good: bool,
    pub error: Option<&'static str>,
}

pub(crate) fn save_embeddings(tx: &Transaction<'_>, sha: &str, batch: &[Embedded]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO face_embeddings (face_id, asset_id, model_sha256, embedding, good, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for e in batch {
        stmt.execute(params![
            e.face_id,
            e.asset_id,
            sha,
            e.embedding.as_deref().map(to_blob),
            e.good,
            e.error
        ])?;
    }
    Ok(())
}

/// Every face with a descriptor (excluded people's faces have none), by photo and
/// position: face ids depend on which worker committed first, and grouping should not.
/// With it, the faces added since the last full re-grouping.
pub(crate) fn embedded_faces(conn: &Connection) -> Result<(Vec<GroupFace>, HashSet<i64>)> {
    let mut stmt = conn.prepare(
        "SELECT e.face_id, e.asset_id, e.embedding, e.good, e.regrouped
         FROM face_embeddings e JOIN faces f ON f.id = e.face_id
         WHERE e.embedding IS NOT NULL ORDER BY e.asset_id, f.x, f.y, f.w, e.face_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, bool>(3)?,
            r.get::<_, bool>(4)?,
        ))
    })?;
    let (mut out, mut fresh) = (Vec::new(), HashSet::new());
    for row in rows {
        let (id, photo, blob, good, regrouped) = row?;
        if let Some(embedding) = from_blob(&blob) {
            if !regrouped {
                fresh.insert(id);
            }
            out.push(GroupFace {
                id,
                photo,
                embedding,
                good,
            });
        }
    }
    Ok((out, fresh))
}

/// After a full re-grouping: every face has been seen by one.
pub(crate) fn mark_regrouped(tx: &Transaction<'_>) -> Result<()> {
    tx.execute(
        "UPDATE face_embeddings SET regrouped = 1 WHERE regrouped = 0",
        [],
    )?;
    Ok(())
}

/// face id → person id, for people not excluded.
pub(crate) fn assignments(conn: &Connection) -> Result<HashMap<i64, u64>> {
    let mut stmt = conn.prepare(
        "SELECT fp.face_id, fp.person_id FROM face_persons fp
         JOIN persons p ON p.id = fp.person_id WHERE p.excluded = 0",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The blocklist: (excluded person, descriptor).
pub(crate) fn blocklist(conn: &Connection) -> Result<Vec<(u64, Vec<f32>)>> {
    let mut stmt = conn.prepare("SELECT person_id, embedding FROM person_blocklist")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, i64>(0)? as u64, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (p, blob) = row?;
        if let Some(e) = from_blob(&blob) {
            out.push((p, e));
        }
    }
    Ok(out)
}

/// The user's word as hard rules for re-grouping, and face → person confirmations.
/// Faces confirmed as one person are linked; confirmed faces of different people and
/// "not this person" faces are kept apart (from the person's confirmed faces, or, when it
/// has none, from the faces it had before).
pub(crate) fn feedback(
    conn: &Connection,
    known: &HashSet<i64>,
    previous: &HashMap<i64, u64>,
) -> Result<(Feedback, HashMap<i64, u64>)> {
    let mut stmt = conn.prepare(
        "SELECT face_id, person_id, verdict FROM people_feedback ORDER BY person_id, face_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)? as u64,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut confirmed: HashMap<u64, Vec<i64>> = HashMap::new();
    let mut rejected: Vec<(i64, u64)> = Vec::new();
    let mut is: HashMap<i64, u64> = HashMap::new();
    for row in rows {
        let (face, person, verdict) = row?;
        if !known.contains(&face) {
            continue;
        }
        if verdict == "is" {
            confirmed.entry(person).or_default().push(face);
            is.insert(face, person);
        } else {
            rejected.push((face, person));
        }
    }
    let mut fb = Feedback::default();
    let mut reps: Vec<(u64, i64)> = Vec::new();
    let mut people: Vec<&u64> = confirmed.keys().collect();
    people.sort();
    for p in people {
        let faces = &confirmed[p];
        for w in faces.windows(2) {
            fb.same.push((w[0], w[1]));
        }
        reps.push((*p, faces[0]));
    }
    for (i, (_, a)) in reps.iter().enumerate() {
        for (_, b) in &reps[i + 1..] {
            fb.different.push((*a, *b));
        }
    }
    for (face, person) in rejected {
        match confirmed.get(&person) {
            Some(faces) => fb.different.push((face, faces[0])),
            None => fb.different.extend(
                previous
                    .iter()
                    .filter(|(f, p)| **p == person && **f != face)
                    .map(|(f, _)| (face, *f)),
            ),
        }
    }
    Ok((fb, is))
}

/// Faces the user confirmed as someone.
pub(crate) fn confirmed_faces(conn: &Connection) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare("SELECT face_id FROM people_feedback WHERE verdict = 'is'")?;
    let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn next_person_id(conn: &Connection) -> Result<u64> {
    let stored = crate::index::meta::get(conn, NEXT_ID_KEY)?.and_then(|v| v.parse::<u64>().ok());
    let max: i64 = conn.query_row("SELECT coalesce(max(id), 0) FROM persons", [], |r| r.get(0))?;
    Ok(stored.unwrap_or(1).max(max as u64 + 1))
}

pub(crate) fn set_next_person_id(tx: &Transaction<'_>, next: u64) -> Result<()> {
    crate::index::meta::set(tx, NEXT_ID_KEY, &next.to_string())
}

pub(crate) fn ensure_person(tx: &Transaction<'_>, id: u64, now_ms: i64) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO persons (id, created_at_ms) VALUES (?1, ?2)")?
        .execute(params![id as i64, now_ms])?;
    Ok(())
}

pub(crate) fn link(tx: &Transaction<'_>, face: &GroupFace, person: u64) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO face_persons (face_id, asset_id, person_id) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![face.id, face.photo, person as i64])?;
    Ok(())
}

/// A face now known to be an excluded person: linked to them, descriptor dropped.
pub(crate) fn link_excluded(tx: &Transaction<'_>, face: &GroupFace, person: u64) -> Result<()> {
    link(tx, face, person)?;
    tx.prepare_cached(
        "UPDATE face_embeddings SET embedding = NULL, good = 0, error = 'excluded' WHERE face_id = ?1",
    )?
    .execute([face.id])?;
    Ok(())
}

/// Replaces every assignment to people not excluded.
pub(crate) fn replace_assignments(
    tx: &Transaction<'_>,
    faces: &[GroupFace],
    ids: &[Option<u64>],
    now_ms: i64,
) -> Result<()> {
    tx.execute(
        "DELETE FROM face_persons WHERE person_id IN (SELECT id FROM persons WHERE excluded = 0)",
        [],
    )?;
    for (f, id) in faces.iter().zip(ids) {
        if let Some(id) = id {
            ensure_person(tx, *id, now_ms)?;
            link(tx, f, *id)?;
        }
    }
    Ok(())
}

/// People with no face left go, unless excluded (their blocklist must stay).
pub(crate) fn drop_empty_people(tx: &Transaction<'_>) -> Result<u64> {
    Ok(tx.execute(
        "DELETE FROM persons WHERE excluded = 0
           AND NOT EXISTS (SELECT 1 FROM face_persons fp WHERE fp.person_id = persons.id)",
        [],
    )? as u64)
}

/// A person's birthday (the year when known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Birthday {
    pub month: u32,
    pub day: u32,
    pub year: Option<i32>,
}

/// One face of a person, as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonFace {
    pub face_id: i64,
    pub asset_id: i64,
    /// The photo's source id (path under the scanned folder, or host id).
    pub asset: String,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// A person as the people API lists them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    pub id: i64,
    pub name: Option<String>,
    pub birthday: Option<Birthday>,
    /// Not featured in people suggestions (their photos still appear elsewhere).
    pub hidden: bool,
    /// "Don't include me": their photos never enter a suggestion or collage.
    pub excluded: bool,
    pub faces: u64,
    pub photos: u64,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// The best face (confirmed faces first, then by quality); none for excluded people.
    pub cover: Option<PersonFace>,
}

fn person_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    let birthday = match (r.get::<_, Option<u32>>(2)?, r.get::<_, Option<u32>>(3)?) {
        (Some(month), Some(day)) => Some(Birthday {
            month,
            day,
            year: r.get(4)?,
        }),
        _ => None,
    };
    Ok(Person {
        id: r.get(0)?,
        name: r.get(1)?,
        birthday,
        hidden: r.get(5)?,
        excluded: r.get(6)?,
        faces: r.get::<_, i64>(7)? as u64,
        photos: r.get::<_, i64>(8)? as u64,
        first_seen: r
            .get::<_, Option<i64>>(9)?
            .and_then(DateTime::from_timestamp_millis),
        last_seen: r
            .get::<_, Option<i64>>(10)?
            .and_then(DateTime::from_timestamp_millis),
        cover: None,
    })
}

const PERSON_SELECT: &str = "
    SELECT p.id, p.name, p.birth_month, p.birth_day, p.birth_year, p.hidden, p.excluded,
           count(fp.face_id), count(DISTINCT fp.asset_id),
           min(a.captured_utc_ms), max(a.captured_utc_ms)
    FROM persons p LEFT JOIN face_persons fp ON fp.person_id = p.id
                   LEFT JOIN assets a ON a.id = fp.asset_id";

/// Every person, most photographed first.
pub(crate) fn people(conn: &Connection) -> Result<Vec<Person>> {
    let mut stmt = conn.prepare(&format!(
        "{PERSON_SELECT} GROUP BY p.id ORDER BY p.excluded, count(DISTINCT fp.asset_id) DESC, p.id"
    ))?;
    let mut out: Vec<Person> = stmt
        .query_map([], person_row)?
        .collect::<rusqlite::Result<_>>()?;
    for p in &mut out {
        if !p.excluded {
            p.cover = cover(conn, p.id)?;
        }
    }
    Ok(out)
}

pub(crate) fn person(conn: &Connection, id: i64) -> Result<Person> {
    let mut p = conn
        .query_row(
            &format!("{PERSON_SELECT} WHERE p.id = ?1 GROUP BY p.id"),
            [id],
            person_row,
        )
        .optional()?
        .ok_or(Error::NotFound("person"))?;
    if !p.excluded {
        p.cover = cover(conn, id)?;
    }
    Ok(p)
}

const FACE_SELECT: &str = "
    SELECT f.id, f.asset_id, a.source_id, f.x, f.y, f.w, f.h
    FROM face_persons fp JOIN faces f ON f.id = fp.face_id JOIN assets a ON a.id = f.asset_id
    LEFT JOIN people_feedback pf ON pf.face_id = f.id AND pf.person_id = fp.person_id
                                AND pf.verdict = 'is'
    WHERE fp.person_id = ?1";

fn face_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PersonFace> {
    Ok(PersonFace {
        face_id: r.get(0)?,
        asset_id: r.get(1)?,
        asset: r.get(2)?,
        x: r.get(3)?,
        y: r.get(4)?,
        w: r.get(5)?,
        h: r.get(6)?,
    })
}

fn cover(conn: &Connection, person: i64) -> Result<Option<PersonFace>> {
    Ok(conn
        .query_row(
            &format!(
                "{FACE_SELECT} ORDER BY pf.face_id IS NULL, coalesce(f.quality, 0) DESC, f.id LIMIT 1"
            ),
            [person],
            face_row,
        )
        .optional()?)
}

/// A person's faces, in time order.
pub(crate) fn person_faces(conn: &Connection, person: i64) -> Result<Vec<PersonFace>> {
    let mut stmt = conn.prepare(&format!("{FACE_SELECT} ORDER BY a.captured_utc_ms, f.id"))?;
    let rows = stmt.query_map([person], face_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// People with their photos, for the people-centred suggestions (excluded people are
/// not among them).
pub(crate) fn people_photos(conn: &Connection) -> Result<Vec<crate::suggest::PersonPhotos>> {
    // One query, read on every suggestion run (no covers needed); people in the order
    // of the people list, most photographed first.
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name IS NOT NULL, p.hidden, p.birth_month, p.birth_day, p.birth_year,
                fp.asset_id
         FROM persons p JOIN face_persons fp ON fp.person_id = p.id
         WHERE p.excluded = 0
         ORDER BY (SELECT count(DISTINCT asset_id) FROM face_persons WHERE person_id = p.id) DESC,
                  p.id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: Vec<crate::suggest::PersonPhotos> = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if out.last().is_none_or(|p| p.id != id) {
            let birthday = match (r.get::<_, Option<u32>>(3)?, r.get::<_, Option<u32>>(4)?) {
                (Some(m), Some(d)) => Some((m, d, r.get(5)?)),
                _ => None,
            };
            out.push(crate::suggest::PersonPhotos {
                id,
                named: r.get(1)?,
                hidden: r.get(2)?,
                birthday,
                photos: HashSet::new(),
            });
        }
        if let Some(p) = out.last_mut() {
            p.photos.insert(r.get(6)?);
        }
    }
    Ok(out)
}

pub(crate) fn require_person(conn: &Connection, id: i64) -> Result<bool> {
    conn.query_row("SELECT excluded FROM persons WHERE id = ?1", [id], |r| {
        r.get::<_, bool>(0)
    })
    .optional()?
    .ok_or(Error::NotFound("person"))
}

pub(crate) fn record_feedback(
    tx: &Transaction<'_>,
    face: i64,
    person: i64,
    verdict: &str,
    now_ms: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO people_feedback (face_id, asset_id, person_id, verdict, at_ms)
         SELECT id, asset_id, ?2, ?3, ?4 FROM faces WHERE id = ?1
         ON CONFLICT (face_id, person_id) DO UPDATE SET verdict = excluded.verdict, at_ms = excluded.at_ms",
    )?
    .execute(params![face, person, verdict, now_ms])?;
    // A face is confirmed as one person at a time.
    if verdict == "is" {
        tx.prepare_cached(
            "DELETE FROM people_feedback WHERE face_id = ?1 AND person_id != ?2 AND verdict = 'is'",
        )?
        .execute(params![face, person])?;
    }
    Ok(())
}

/// The face a person is best recognised by (see [`Person::cover`]).
pub(crate) fn cover_face(conn: &Connection, person: i64) -> Result<Option<i64>> {
    Ok(cover(conn, person)?.map(|f| f.face_id))
}

pub(crate) fn face_person(conn: &Connection, face: i64) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT person_id FROM face_persons WHERE face_id = ?1",
            [face],
            |r| r.get(0),
        )
        .optional()?)
}

pub(crate) fn face_exists(conn: &Connection, face: i64) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM faces WHERE id = ?1", [face], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Excludes a person: up to [`BLOCKLIST_MAX`] of their descriptors (good faces first)
/// become the blocklist, every descriptor of their faces is dropped, and their name,
/// birthday and feedback go. Returns how many descriptors were kept.
pub(crate) fn exclude(tx: &Transaction<'_>, person: i64) -> Result<u64> {
    let kept = tx.execute(
        "INSERT INTO person_blocklist (person_id, embedding)
         SELECT ?1, e.embedding FROM face_embeddings e JOIN face_persons fp ON fp.face_id = e.face_id
         WHERE fp.person_id = ?1 AND e.embedding IS NOT NULL
         ORDER BY e.good DESC, e.face_id LIMIT ?2",
        params![person, BLOCKLIST_MAX as i64],
    )? as u64;
    tx.execute(
        "UPDATE face_embeddings SET embedding = NULL, good = 0, error = 'excluded'
         WHERE face_id IN (SELECT face_id FROM face_persons WHERE person_id = ?1)",
        [person],
    )?;
    tx.execute("DELETE FROM people_feedback WHERE person_id = ?1", [person])?;
    tx.execute(
        "UPDATE persons SET excluded = 1, hidden = 0, name = NULL, birth_month = NULL,
                birth_day = NULL, birth_year = NULL WHERE id = ?1",
        [person],
    )?;
    Ok(kept)
}

/// Undoes an exclusion: the blocklist goes and the person's faces are described again at
/// the next people pass.
pub(crate) fn include(tx: &Transaction<'_>, person: i64) -> Result<()> {
    tx.execute(
        "DELETE FROM person_blocklist WHERE person_id = ?1",
        [person],
    )?;
    tx.execute(
        "DELETE FROM face_embeddings
         WHERE face_id IN (SELECT face_id FROM face_persons WHERE person_id = ?1)",
        [person],
    )?;
    tx.execute("DELETE FROM face_persons WHERE person_id = ?1", [person])?;
    tx.execute("UPDATE persons SET excluded = 0 WHERE id = ?1", [person])?;
    Ok(())
}

/// Photos to keep out of suggestions because of people: photos with an excluded person,
/// and — while anyone is excluded — photos whose faces are not described yet (they might
/// be that person).
pub(crate) fn kept_out_photos(conn: &Connection) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT fp.asset_id FROM face_persons fp JOIN persons p ON p.id = fp.person_id
         WHERE p.excluded = 1
         UNION
         SELECT DISTINCT f.asset_id FROM faces f
         WHERE EXISTS (SELECT 1 FROM person_blocklist)
           AND NOT EXISTS (SELECT 1 FROM face_embeddings e WHERE e.face_id = f.id)",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
