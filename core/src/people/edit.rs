//! The user's word on people, as store writes: naming, birthdays, hiding, "don't
//! include me" (for a person or for faces), merging, splitting, rejecting and assigning
//! faces. Each runs inside the caller's one transaction, so a refused edit changes
//! nothing.

use std::collections::{BTreeSet, HashSet};

use rusqlite::{params, Transaction};

use super::store;
use super::Birthday;
use crate::{Error, Result};

/// A person that is there and not excluded (excluded people cannot be edited except by
/// including them again).
fn editable(tx: &Transaction<'_>, id: i64) -> Result<()> {
    if store::require_person(tx, id)? {
        return Err(Error::InvalidArgument(format!(
            "person {id} is excluded; include them again first"
        )));
    }
    Ok(())
}

/// A valid name, trimmed, or `None` to clear.
fn check_name(name: Option<&str>) -> Result<Option<&str>> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = name {
        if n.chars().count() > 200 || n.chars().any(char::is_control) {
            return Err(Error::InvalidArgument(
                "a name is at most 200 characters, without control characters".into(),
            ));
        }
    }
    Ok(name)
}

/// Names a person; naming also confirms their cover face.
pub(crate) fn name(tx: &Transaction<'_>, id: i64, name: Option<&str>, now: i64) -> Result<()> {
    let name = check_name(name)?;
    editable(tx, id)?;
    tx.execute(
        "UPDATE persons SET name = ?2 WHERE id = ?1",
        params![id, name],
    )?;
    if let Some(face) = store::cover_face(tx, id)? {
        store::record_feedback(tx, face, id, "is", now)?;
    }
    Ok(())
}

fn check_birthday(birthday: Option<Birthday>) -> Result<()> {
    if let Some(b) = birthday {
        let year = b.year.unwrap_or(2000);
        if chrono::NaiveDate::from_ymd_opt(year, b.month, b.day).is_none()
            || b.year.is_some_and(|y| !(1850..=2200).contains(&y))
        {
            return Err(Error::InvalidArgument(format!(
                "not a date: month {} day {}",
                b.month, b.day
            )));
        }
    }
    Ok(())
}

pub(crate) fn birthday(tx: &Transaction<'_>, id: i64, birthday: Option<Birthday>) -> Result<()> {
    check_birthday(birthday)?;
    editable(tx, id)?;
    tx.execute(
        "UPDATE persons SET birth_month = ?2, birth_day = ?3, birth_year = ?4 WHERE id = ?1",
        params![
            id,
            birthday.map(|b| b.month),
            birthday.map(|b| b.day),
            birthday.and_then(|b| b.year)
        ],
    )?;
    Ok(())
}

pub(crate) fn hidden(tx: &Transaction<'_>, id: i64, hidden: bool) -> Result<()> {
    editable(tx, id)?;
    tx.execute(
        "UPDATE persons SET hidden = ?2 WHERE id = ?1",
        params![id, hidden],
    )?;
    Ok(())
}

/// Excludes (`true`) or includes again (`false`) a person; returns the descriptors kept
/// on the blocklist when excluding.
pub(crate) fn excluded(tx: &Transaction<'_>, id: i64, excluded: bool) -> Result<Option<u64>> {
    let was = store::require_person(tx, id)?;
    match (was, excluded) {
        (false, true) => store::exclude(tx, id).map(Some),
        (true, false) => store::include(tx, id).map(|()| None),
        _ => Ok(None),
    }
}

/// "Don't include me" by face, all or nothing: an unknown id changes nothing and is
/// named. A face with a person excludes the person; one without is kept by its box.
/// Returns how many faces were excluded and the descriptors kept per excluded person.
pub(crate) fn exclude_faces(
    tx: &Transaction<'_>,
    face_ids: &[i64],
    now: i64,
) -> Result<(u64, Vec<u64>)> {
    for id in face_ids {
        if !store::face_exists(tx, *id)? {
            return Err(Error::InvalidArgument(format!("face {id} is unknown")));
        }
    }
    let mut people = BTreeSet::new();
    let mut insert = tx.prepare_cached(
        "INSERT INTO face_exclusions (asset_id, x, y, w, h, created_at_ms)
         SELECT asset_id, x, y, w, h, ?2 FROM faces WHERE id = ?1",
    )?;
    for id in face_ids {
        match store::face_person(tx, *id)? {
            Some(person) => {
                people.insert(person);
            }
            None => {
                insert.execute(params![id, now])?;
            }
        }
    }
    let mut kept = Vec::new();
    for person in people {
        if let Some(k) = excluded(tx, person, true)? {
            kept.push(k);
        }
    }
    Ok((face_ids.len() as u64, kept))
}

/// Merges `from` into `into`: every face of both is confirmed as `into`, which keeps
/// its id, and its name, or takes `from`'s when it has none.
pub(crate) fn merge(tx: &Transaction<'_>, into: i64, from: i64, now: i64) -> Result<()> {
    if into == from {
        return Err(Error::InvalidArgument(
            "cannot merge a person with itself".into(),
        ));
    }
    editable(tx, into)?;
    editable(tx, from)?;
    // Every face of both is confirmed as the one person: the user saw both and said
    // they are one (a wrong face can still be rejected on its own).
    let mut members = store::person_faces(tx, into)?;
    members.extend(store::person_faces(tx, from)?);
    tx.execute(
        "UPDATE persons SET name = coalesce(name, (SELECT name FROM persons WHERE id = ?2)),
                birth_month = coalesce(birth_month, (SELECT birth_month FROM persons WHERE id = ?2)),
                birth_day = coalesce(birth_day, (SELECT birth_day FROM persons WHERE id = ?2)),
                birth_year = coalesce(birth_year, (SELECT birth_year FROM persons WHERE id = ?2))
         WHERE id = ?1",
        [into, from],
    )?;
    tx.execute(
        "UPDATE face_persons SET person_id = ?1 WHERE person_id = ?2",
        [into, from],
    )?;
    tx.execute(
        "UPDATE OR REPLACE people_feedback SET person_id = ?1 WHERE person_id = ?2",
        [into, from],
    )?;
    for face in members {
        store::record_feedback(tx, face.face_id, into, "is", now)?;
    }
    tx.execute("DELETE FROM persons WHERE id = ?1", [from])?;
    Ok(())
}

/// Splits `faces` off person `id` into a new person (returned); both sides confirmed.
pub(crate) fn split(tx: &Transaction<'_>, id: i64, faces: &[i64], now: i64) -> Result<i64> {
    if faces.is_empty() {
        return Err(Error::InvalidArgument("no faces to split off".into()));
    }
    editable(tx, id)?;
    let members = store::person_faces(tx, id)?;
    let split: HashSet<i64> = faces.iter().copied().collect();
    if let Some(f) = split
        .iter()
        .find(|f| !members.iter().any(|m| m.face_id == **f))
    {
        return Err(Error::InvalidArgument(format!(
            "face {f} is not this person's"
        )));
    }
    let stay: Vec<i64> = members
        .iter()
        .map(|m| m.face_id)
        .filter(|f| !split.contains(f))
        .collect();
    if stay.is_empty() {
        return Err(Error::InvalidArgument(
            "splitting every face off leaves nobody".into(),
        ));
    }
    let new = store::next_person_id(tx)?;
    store::ensure_person(tx, new, now)?;
    store::set_next_person_id(tx, new + 1)?;
    for f in &stay {
        store::record_feedback(tx, *f, id, "is", now)?;
    }
    for f in &split {
        tx.execute(
            "UPDATE face_persons SET person_id = ?2 WHERE face_id = ?1",
            params![f, new as i64],
        )?;
        store::record_feedback(tx, *f, new as i64, "is", now)?;
    }
    Ok(new as i64)
}

/// "Not this person": the face leaves its person and never joins them again.
pub(crate) fn reject(tx: &Transaction<'_>, face: i64, now: i64) -> Result<()> {
    let person = store::face_person(tx, face)?.ok_or(Error::NotFound("face with a person"))?;
    editable(tx, person)?;
    store::record_feedback(tx, face, person, "is_not", now)?;
    tx.execute("DELETE FROM face_persons WHERE face_id = ?1", [face])?;
    Ok(())
}

/// Confirms that `face` is person `id`; refused when the person already has another
/// face in that photo (two faces of one photo are never one person).
pub(crate) fn assign(tx: &Transaction<'_>, face: i64, id: i64, now: i64) -> Result<()> {
    editable(tx, id)?;
    if !store::face_exists(tx, face)? {
        return Err(Error::NotFound("face"));
    }
    let clash: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM face_persons fp JOIN faces f ON f.id = ?1
                        WHERE fp.person_id = ?2 AND fp.asset_id = f.asset_id
                          AND fp.face_id != ?1)",
        [face, id],
        |r| r.get(0),
    )?;
    if clash {
        return Err(Error::InvalidArgument(format!(
            "person {id} already has a face in that photo"
        )));
    }
    tx.execute(
        "INSERT OR REPLACE INTO face_persons (face_id, asset_id, person_id)
         SELECT id, asset_id, ?2 FROM faces WHERE id = ?1",
        [face, id],
    )?;
    tx.execute(
        "DELETE FROM people_feedback WHERE face_id = ?1 AND person_id = ?2 AND verdict = 'is_not'",
        [face, id],
    )?;
    store::record_feedback(tx, face, id, "is", now)
}
