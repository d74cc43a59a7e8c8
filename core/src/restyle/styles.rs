//! The network's 26 styles, named by what each one paints like (the model came without
//! names; these were chosen here by looking at every style on the same photos), and
//! blends of them.

use crate::{Error, Result};

pub const STYLE_COUNT: usize = 26;

/// One of the network's styles, by its index (0..26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Style(u8);

/// Name and one line for each style, in the network's order.
const STYLES: [(&str, &str); STYLE_COUNT] = [
    ("pastel", "soft pastel yellows and sky blues"),
    ("woodcut", "bold black outlines around flat yellows"),
    ("watercolour", "pale washes, faint outlines"),
    ("fauve", "swirls of red, blue and yellow"),
    ("crimson", "cream light on deep red"),
    ("impasto", "thick orange and blue strokes"),
    ("indigo", "indigo with dotted texture"),
    ("expressionist", "dark blue, red and yellow blocks"),
    ("ink", "white paper, pink and cyan ink lines"),
    ("tapestry", "teal and red woven pattern"),
    ("ochre", "earth browns and orange, like an old oil"),
    ("sunlit", "cream and gold with dark outlines"),
    ("lilac", "lavender haze with warm highlights"),
    ("cubist", "green, yellow and blue facets"),
    ("frost", "pale icy blues and greys"),
    ("stained-glass", "coloured panes between pale leading"),
    ("brushstroke", "diagonal blue and orange strokes"),
    ("grid", "red, blue and orange blocks on a grid"),
    ("sandstone", "beige and brown ripples"),
    ("starry", "blue and yellow swirls"),
    ("ember", "red and orange flames"),
    ("poster", "flat pastel blocks"),
    ("marble", "cream cracks on dark blue"),
    ("charcoal", "charcoal greys with white highlights"),
    ("delft", "blue and cream, like painted tiles"),
    ("mosaic", "fine blue and orange tesserae"),
];

impl Style {
    pub fn all() -> impl Iterator<Item = Style> {
        (0..STYLE_COUNT as u8).map(Style)
    }

    /// The style at `index` (0..26).
    pub fn from_index(index: usize) -> Option<Style> {
        (index < STYLE_COUNT).then_some(Style(index as u8))
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub fn name(self) -> &'static str {
        STYLES[self.index()].0
    }

    pub fn describe(self) -> &'static str {
        STYLES[self.index()].1
    }

    /// By name, or by index ("7").
    pub fn parse(s: &str) -> Option<Style> {
        let s = s.trim();
        Style::all()
            .find(|st| st.name() == s)
            .or_else(|| s.parse::<usize>().ok().and_then(Style::from_index))
    }
}

/// Weights over the 26 styles, summing to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct StyleBlend([f32; STYLE_COUNT]);

impl StyleBlend {
    pub fn one(style: Style) -> StyleBlend {
        let mut w = [0.0; STYLE_COUNT];
        w[style.index()] = 1.0;
        StyleBlend(w)
    }

    /// Styles with relative weights (any positive numbers; scaled to sum to 1). A style
    /// named twice adds up.
    pub fn mix(parts: &[(Style, f32)]) -> Result<StyleBlend> {
        let mut w = [0.0f32; STYLE_COUNT];
        for &(style, weight) in parts {
            if !weight.is_finite() || weight < 0.0 {
                return Err(Error::InvalidArgument(
                    "style weights must be finite and not negative".into(),
                ));
            }
            w[style.index()] += weight;
        }
        let sum: f32 = w.iter().sum();
        if !(sum.is_finite() && sum > 0.0) {
            return Err(Error::InvalidArgument(
                "a style blend needs a positive weight".into(),
            ));
        }
        w.iter_mut().for_each(|v| *v /= sum);
        Ok(StyleBlend(w))
    }

    /// `name`, or `name:weight,name:weight,…` (names or indices).
    pub fn parse(spec: &str) -> Result<StyleBlend> {
        let unknown = || {
            Error::InvalidArgument(
                "unknown style (see the style list; a blend is name:weight,name:weight)".into(),
            )
        };
        let mut parts = Vec::new();
        for part in spec.split(',') {
            let (name, weight) = match part.split_once(':') {
                Some((n, w)) => (n, w.trim().parse::<f32>().map_err(|_| unknown())?),
                None => (part, 1.0),
            };
            parts.push((Style::parse(name).ok_or_else(unknown)?, weight));
        }
        StyleBlend::mix(&parts)
    }

    pub fn weights(&self) -> &[f32; STYLE_COUNT] {
        &self.0
    }

    /// The blend as `name:weight` parts, heaviest first (for reports and audit lines).
    pub fn describe(&self) -> String {
        let mut parts: Vec<(usize, f32)> = self
            .0
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, w)| *w > 0.0)
            .collect();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        if let [(i, _)] = parts.as_slice() {
            return STYLES[*i].0.to_string();
        }
        parts
            .iter()
            .map(|(i, w)| format!("{}:{:.2}", STYLES[*i].0, w))
            .collect::<Vec<_>>()
            .join(",")
    }
}
