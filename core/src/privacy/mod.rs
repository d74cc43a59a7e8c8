//! Consent and what it covers. A new store is not consented: metadata indexing is
//! allowed, anything that derives data from photos (pixels, faces, suggestions) needs
//! its scope granted first, and revoking a scope erases every byte derived under it.

pub(crate) mod audit;
mod consent;
pub(crate) mod export;
pub(crate) mod forget;

pub use self::audit::AuditEntry;
pub(crate) use self::consent::{grant, purge_derived_for_assets, require, revoke, status};
pub use self::consent::{ConsentState, PurgeReport};

/// What the user consents to, one scope at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Reading pixels: quality, exposure, perceptual hashes, duplicates, content themes.
    Pixels,
    /// Finding faces and grouping them into people: biometric, so separate.
    Faces,
    /// Moments, trips and suggestions built from the library.
    Suggestions,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Pixels, Scope::Faces, Scope::Suggestions];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Pixels => "pixels",
            Scope::Faces => "faces",
            Scope::Suggestions => "suggestions",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    /// The tables holding data derived under this scope. Every table of the schema is
    /// either listed here or in [`NON_DERIVED_TABLES`]; a test keeps it that way.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Scope::Pixels => &[
                "photo_signals",
                "theme_analysis",
                "photo_classes",
                "photo_themes",
            ],
            // People tables first: they refer to faces.
            Scope::Faces => &[
                "person_blocklist",
                "people_feedback",
                "face_persons",
                "face_embeddings",
                "persons",
                "faces",
                "face_analysis",
            ],
            // Suggestions first: purging one asset drops the suggestions that used it.
            Scope::Suggestions => &["suggestions", "suggestion_assets"],
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tables that hold no data derived from photo content: the metadata index (allowed
/// without consent), the consent record itself, store settings and user feedback.
pub const NON_DERIVED_TABLES: &[&str] = &[
    "meta",
    "assets",
    "consent",
    "consent_log",
    // The user's own feedback on suggestions.
    "dismissed_suggestions",
    "hidden_assets",
    "hidden_ranges",
    "excluded_albums",
    "special_dates",
    // The user's privacy wishes: kept through revocation so they keep being honoured.
    // Exclusions hold a box only; forgotten photos a hash of their id only.
    "face_exclusions",
    "sensitive_places",
    "forgotten",
    // Counts of what was processed, no content (see privacy/audit.rs).
    "audit_log",
];
