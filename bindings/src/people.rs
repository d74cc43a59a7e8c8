//! People, mirrored for Kotlin and Swift: list, name, birthday, hide, "don't include
//! me", and the user's word on faces (merge, split, reject, assign). Faces are grouped by
//! the analysis when `AnalysisOptions.embedder_path` is set.

use keepsake_core as core;

use crate::{ApiError, Keepsake};

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Birthday {
    pub month: u32,
    pub day: u32,
    pub year: Option<i32>,
}

/// One face of a person; `asset_id` is the host id (or folder path) of its photo.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PersonFace {
    pub face_id: i64,
    pub asset_id: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Person {
    pub id: i64,
    pub name: Option<String>,
    pub birthday: Option<Birthday>,
    pub hidden: bool,
    /// Excluded ("don't include me"): listed without a cover, name or faces.
    pub excluded: bool,
    pub face_count: u64,
    pub photo_count: u64,
    pub first_seen_ms: Option<i64>,
    pub last_seen_ms: Option<i64>,
    pub cover: Option<PersonFace>,
}

fn face(f: core::people::PersonFace) -> PersonFace {
    PersonFace {
        face_id: f.face_id,
        asset_id: f.asset,
        x: f.x,
        y: f.y,
        width: f.w,
        height: f.h,
    }
}

fn birthday(b: core::people::Birthday) -> Birthday {
    Birthday {
        month: b.month,
        day: b.day,
        year: b.year,
    }
}

impl From<core::people::Person> for Person {
    fn from(p: core::people::Person) -> Self {
        Person {
            id: p.id,
            name: p.name,
            birthday: p.birthday.map(birthday),
            hidden: p.hidden,
            excluded: p.excluded,
            face_count: p.faces,
            photo_count: p.photos,
            first_seen_ms: p.first_seen.map(|t| t.timestamp_millis()),
            last_seen_ms: p.last_seen.map(|t| t.timestamp_millis()),
            cover: p.cover.map(face),
        }
    }
}

#[uniffi::export]
impl Keepsake {
    /// Everyone, most photographed first (needs the `faces` consent).
    pub fn people(&self) -> Result<Vec<Person>, ApiError> {
        Ok(self
            .store()?
            .people()?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// A person's faces in time order.
    pub fn person_faces(&self, person_id: i64) -> Result<Vec<PersonFace>, ApiError> {
        Ok(self
            .store()?
            .person_faces(person_id)?
            .into_iter()
            .map(face)
            .collect())
    }

    /// Names a person; `null` or blank clears the name.
    pub fn name_person(&self, person_id: i64, name: Option<String>) -> Result<(), ApiError> {
        Ok(self.store()?.name_person(person_id, name.as_deref())?)
    }

    /// Sets or clears a birthday (feeds the birthday suggestions).
    pub fn set_person_birthday(
        &self,
        person_id: i64,
        birthday: Option<Birthday>,
    ) -> Result<(), ApiError> {
        let b = birthday.map(|b| core::people::Birthday {
            month: b.month,
            day: b.day,
            year: b.year,
        });
        Ok(self.store()?.set_person_birthday(person_id, b)?)
    }

    /// Keeps a person out of the people suggestions (their photos still appear).
    pub fn set_person_hidden(&self, person_id: i64, hidden: bool) -> Result<(), ApiError> {
        Ok(self.store()?.set_person_hidden(person_id, hidden)?)
    }

    /// "Don't include me": no photo with this person enters a suggestion or collage, new
    /// photos of them included; only descriptors to recognise them are kept.
    pub fn exclude_person(&self, person_id: i64, excluded: bool) -> Result<(), ApiError> {
        Ok(self.store()?.exclude_person(person_id, excluded)?)
    }

    /// The two are one person: `from` joins `into`.
    pub fn merge_people(&self, into: i64, from: i64) -> Result<(), ApiError> {
        Ok(self.store()?.merge_people(into, from)?)
    }

    /// These faces are someone else: returns the new person's id.
    pub fn split_person(&self, person_id: i64, face_ids: Vec<i64>) -> Result<i64, ApiError> {
        Ok(self.store()?.split_person(person_id, &face_ids)?)
    }

    /// "Not this person": the face leaves its person for good.
    pub fn reject_face(&self, face_id: i64) -> Result<(), ApiError> {
        Ok(self.store()?.reject_face(face_id)?)
    }

    /// This face is this person.
    pub fn assign_face(&self, face_id: i64, person_id: i64) -> Result<(), ApiError> {
        Ok(self.store()?.assign_face(face_id, person_id)?)
    }
}
