//! Content themes and place names, mirrored for Kotlin and Swift.

use std::sync::Arc;

use keepsake_core as core;

use crate::{ApiError, Keepsake};

/// A photo showing a theme, with its score (0..1).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ThemedPhoto {
    /// Host id (or folder path).
    pub asset_id: String,
    pub score: f64,
}

/// One theme of a photo.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ThemeScore {
    /// `pets`, `food`, `beach`, `mountains`, `nature`, `city`, `vehicles`, `flowers`,
    /// `snow`, `sunset` or `document`.
    pub theme: String,
    pub score: f64,
}

/// A classified photo: its themes at the default thresholds (best first) and the
/// classifier's classes behind them.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PhotoThemes {
    pub asset_id: String,
    pub themes: Vec<ThemeScore>,
    pub classes: Vec<String>,
}

/// A place's name in a title.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PlaceName {
    pub city: String,
    /// The region (a US state) when the name alone is ambiguous in its country.
    pub region: Option<String>,
    pub country: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
}

impl From<core::places::PlaceName> for PlaceName {
    fn from(n: core::places::PlaceName) -> Self {
        PlaceName {
            city: n.city,
            region: n.region,
            country: n.country,
            country_code: n.country_code,
        }
    }
}

#[uniffi::export]
impl Keepsake {
    /// Photos showing `theme`, best first (empty until an analysis ran with a
    /// classifier); an unknown theme is `InvalidArgument`.
    pub fn photos_by_theme(&self, theme: String) -> Result<Vec<ThemedPhoto>, ApiError> {
        let theme =
            core::themes::Theme::parse(&theme).ok_or_else(|| ApiError::InvalidArgument {
                reason: "unknown theme".into(),
            })?;
        Ok(self
            .store()?
            .photos_by_theme(theme)?
            .into_iter()
            .map(|p| ThemedPhoto {
                asset_id: p.source_id,
                score: p.score,
            })
            .collect())
    }

    /// Every classified photo's themes.
    pub fn photo_themes(&self) -> Result<Vec<PhotoThemes>, ApiError> {
        Ok(self
            .store()?
            .photo_themes()?
            .into_iter()
            .map(|p| PhotoThemes {
                asset_id: p.source_id,
                themes: p
                    .themes
                    .into_iter()
                    .map(|(t, score)| ThemeScore {
                        theme: t.as_str().into(),
                        score,
                    })
                    .collect(),
                classes: p.classes.into_iter().map(|(c, _)| c).collect(),
            })
            .collect())
    }

    /// Loads the place names titles use (the table set-up writes, GeoNames CC BY 4.0:
    /// show its attribution, see `places_attribution`), or with `null` removes them.
    /// Returns how many places were loaded. A bad file is `InvalidArgument`.
    pub fn set_places(&self, path: Option<String>) -> Result<u64, ApiError> {
        let store = self.store()?;
        let places = match path {
            Some(p) => Some(Arc::new(
                core::places::Gazetteer::load_path(std::path::Path::new(&p)).map_err(|e| {
                    ApiError::InvalidArgument {
                        reason: format!("place names: {}", public_reason(&e)),
                    }
                })?,
            )),
            None => None,
        };
        let n = places.as_ref().map_or(0, |g| g.len() as u64);
        store.set_places(places);
        Ok(n)
    }
}

/// The attribution the place names' licence asks apps to show.
#[uniffi::export]
pub fn places_attribution() -> String {
    core::places::ATTRIBUTION.into()
}

/// An error's text without paths (file errors name no file here).
fn public_reason(e: &core::Error) -> String {
    match e {
        core::Error::Io(io) => format!("cannot read the file ({:?})", io.kind()),
        other => other.to_string(),
    }
}
