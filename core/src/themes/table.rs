//! The ImageNet class → theme table (`imagenet.tsv`, one tab-separated row per class
//! that counts toward a theme: class, wnid, word, `theme:weight,...`), parsed once.

use std::sync::OnceLock;

use super::Theme;

/// ImageNet-1k classes.
pub const CLASSES: usize = 1000;

/// Per class: the themes it counts toward and how much (1: the class shows the theme;
/// less: it only hints at it).
pub struct Table {
    pub themes: Vec<Vec<(Theme, f32)>>,
    pub words: Vec<Option<&'static str>>,
}

static TABLE: OnceLock<Table> = OnceLock::new();

pub fn table() -> &'static Table {
    TABLE.get_or_init(|| parse(include_str!("imagenet.tsv")))
}

/// Parses the table; a malformed row is a build mistake, caught by the tests (a row that
/// does not parse is skipped rather than taking the app down).
fn parse(text: &'static str) -> Table {
    let mut themes = vec![Vec::new(); CLASSES];
    let mut words = vec![None; CLASSES];
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut cols = line.split('\t');
        let (Some(class), Some(_wnid), Some(word), Some(cells)) =
            (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            continue;
        };
        let Some(class) = class.parse::<usize>().ok().filter(|c| *c < CLASSES) else {
            continue;
        };
        words[class] = Some(word);
        for cell in cells.split(',') {
            let mut kv = cell.split(':');
            if let (Some(Some(t)), Some(Ok(w))) = (
                kv.next().map(Theme::parse),
                kv.next().map(str::parse::<f32>),
            ) {
                themes[class].push((t, w));
            }
        }
    }
    Table { themes, words }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_parses_and_every_class_theme_has_classes() {
        let text = include_str!("imagenet.tsv");
        let rows = text.lines().filter(|l| !l.starts_with('#')).count();
        let t = table();
        let parsed = t.themes.iter().filter(|v| !v.is_empty()).count();
        assert_eq!(parsed, rows, "a row of imagenet.tsv did not parse");
        for theme in Theme::ALL {
            let n = t
                .themes
                .iter()
                .filter(|v| v.iter().any(|(x, _)| *x == theme))
                .count();
            // Sunset has no ImageNet class: it comes from the sky and the sun's height.
            assert_eq!(n == 0, theme == Theme::Sunset, "{theme}: {n} classes");
        }
    }

    #[test]
    fn word_senses_hold() {
        let t = table();
        let themes_of =
            |class: usize| -> Vec<Theme> { t.themes[class].iter().map(|(x, _)| *x).collect() };
        // 162 beagle, 281 tabby: pets; 207 golden retriever.
        for c in [162, 207, 281] {
            assert_eq!(themes_of(c), [Theme::Pets], "{:?}", t.words[c]);
        }
        // A bathtub (435) is a vessel only as a container: no vehicle, no theme at all.
        assert!(themes_of(435).is_empty());
        // A space shuttle (812) is left out of vehicles; a speedboat (814) is in.
        assert!(!themes_of(812).contains(&Theme::Vehicles));
        assert!(themes_of(814).contains(&Theme::Vehicles));
        // Wolves and foxes (269, 277) are no pets.
        assert!(themes_of(269).is_empty() && themes_of(277).is_empty());
        // The seashore (978) is beach and nature; the cheeseburger (933) food.
        assert_eq!(themes_of(978), [Theme::Beach, Theme::Nature]);
        assert_eq!(themes_of(933), [Theme::Food]);
        // Every beach or mountains class is nature too.
        for v in &t.themes {
            let has = |x: Theme| v.iter().any(|(y, _)| *y == x);
            if has(Theme::Beach) || has(Theme::Mountains) {
                assert!(has(Theme::Nature));
            }
        }
    }
}
