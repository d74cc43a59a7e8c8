//! `keepsake eval themes DIR`: content themes against a labelled folder (DIR/labels.jsonl,
//! `{"file": "images/….jpg", "themes": [...]}`; the shared set's format). The photos go
//! through the whole pipeline as a camera roll would (scan, consent, analysis with the
//! classifier, stored themes), then each photo's themes at the default thresholds are
//! compared with its labels: precision and recall per theme and micro-averaged, and how
//! many photos without a theme got one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use keepsake_core::themes::{Classifier, Theme};
use keepsake_core::{CancelToken, Config, Keepsake, NoProgress, ScanOptions, Scope};
use serde_json::{json, Value};

/// Themes per file.
pub type ThemesByFile = BTreeMap<String, BTreeSet<Theme>>;

/// Per theme: true positives, false positives, false negatives.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Counts {
    pub tp: u32,
    pub fp: u32,
    pub fn_: u32,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        1.0
    } else {
        f64::from(a) / f64::from(b)
    }
}

/// Scores predictions against labels (both by file); files missing from `predicted`
/// count as predicted with no theme.
pub fn score(
    labels: &ThemesByFile,
    predicted: &ThemesByFile,
) -> (BTreeMap<Theme, Counts>, Counts, u32) {
    let mut per: BTreeMap<Theme, Counts> =
        Theme::ALL.iter().map(|t| (*t, Counts::default())).collect();
    let mut negatives_tagged = 0;
    let empty = BTreeSet::new();
    for (file, truth) in labels {
        let got = predicted.get(file).unwrap_or(&empty);
        if truth.is_empty() && !got.is_empty() {
            negatives_tagged += 1;
        }
        for t in Theme::ALL {
            let c = per.entry(t).or_default();
            match (truth.contains(&t), got.contains(&t)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => {}
            }
        }
    }
    let mut micro = Counts::default();
    for c in per.values() {
        micro.tp += c.tp;
        micro.fp += c.fp;
        micro.fn_ += c.fn_;
    }
    (per, micro, negatives_tagged)
}

pub fn read_labels(dir: &Path) -> Result<ThemesByFile, String> {
    let path = dir.join("labels.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut labels = BTreeMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value =
            serde_json::from_str(line).map_err(|e| format!("labels.jsonl line {}: {e}", n + 1))?;
        let file = v["file"]
            .as_str()
            .ok_or_else(|| format!("labels.jsonl line {}: no file", n + 1))?;
        let mut themes = BTreeSet::new();
        for t in v["themes"].as_array().into_iter().flatten() {
            let name = t.as_str().unwrap_or_default();
            let theme = Theme::parse(name)
                .ok_or_else(|| format!("labels.jsonl line {}: unknown theme {name:?}", n + 1))?;
            themes.insert(theme);
        }
        labels.insert(file.to_string(), themes);
    }
    if labels.is_empty() {
        return Err(format!("{}: no labelled photos", path.display()));
    }
    Ok(labels)
}

pub fn eval(
    dir: &Path,
    classifier: &Path,
    json_out: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let labels = read_labels(dir)?;
    let classifier = Classifier::load_path(classifier)
        .map_err(|e| format!("cannot load the classifier: {e}"))?;
    let scratch = std::env::temp_dir().join(format!("keepsake-eval-themes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)?;
    let result = (|| -> Result<(ThemesByFile, f64), Box<dyn std::error::Error>> {
        let store = Keepsake::open(&scratch.join("eval.db"), Config::default())?;
        let cancel = CancelToken::new();
        store.scan_folder(dir, ScanOptions::default(), &NoProgress, &cancel)?;
        store.grant_consent(Scope::Pixels)?;
        let started = Instant::now();
        let options = keepsake_core::analysis::AnalyzeOptions {
            classifier: Some(std::sync::Arc::new(classifier)),
            ..Default::default()
        };
        store.analyze(None, &options, &NoProgress, &cancel)?;
        let secs = started.elapsed().as_secs_f64();
        let mut predicted = BTreeMap::new();
        for p in store.photo_themes()? {
            let themes: BTreeSet<Theme> = p.themes.iter().map(|(t, _)| *t).collect();
            predicted.insert(p.source_id.clone(), themes);
        }
        Ok((predicted, secs))
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    let (predicted, secs) = result?;
    let missing = labels
        .keys()
        .filter(|f| !predicted.contains_key(*f))
        .count();
    if missing > 0 {
        return Err(format!("{missing} labelled photos were not classified").into());
    }
    let (per, micro, negatives_tagged) = score(&labels, &predicted);
    let negatives = labels.values().filter(|t| t.is_empty()).count();
    if json_out {
        let themes: serde_json::Map<String, Value> = per
            .iter()
            .map(|(t, c)| {
                (
                    t.to_string(),
                    json!({"tp": c.tp, "fp": c.fp, "fn": c.fn_, "precision": c.precision(), "recall": c.recall()}),
                )
            })
            .collect();
        let v = json!({
            "photos": labels.len(),
            "themes": themes,
            "micro": {"tp": micro.tp, "fp": micro.fp, "fn": micro.fn_,
                      "precision": micro.precision(), "recall": micro.recall()},
            "negatives": negatives,
            "negatives_tagged": negatives_tagged,
            "analysis_s": secs,
        });
        println!("{v}");
    } else {
        println!("theme        precision  recall   tp  fp  fn");
        for (t, c) in &per {
            println!(
                "{:<12} {:>9.2} {:>7.2} {:>4} {:>3} {:>3}",
                t.as_str(),
                c.precision(),
                c.recall(),
                c.tp,
                c.fp,
                c.fn_
            );
        }
        println!(
            "micro        {:>9.2} {:>7.2} {:>4} {:>3} {:>3}",
            micro.precision(),
            micro.recall(),
            micro.tp,
            micro.fp,
            micro.fn_
        );
        println!(
            "{} photos ({:.1} s of analysis); {negatives_tagged} of {negatives} photos without a theme got one",
            labels.len(),
            secs
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoring_counts_each_theme_and_the_negatives() {
        let set = |v: &[Theme]| v.iter().copied().collect::<BTreeSet<_>>();
        let labels: BTreeMap<String, BTreeSet<Theme>> = [
            ("a".to_string(), set(&[Theme::Pets])),
            ("b".to_string(), set(&[Theme::Beach, Theme::Nature])),
            ("c".to_string(), set(&[])),
        ]
        .into();
        let predicted: BTreeMap<String, BTreeSet<Theme>> = [
            ("a".to_string(), set(&[Theme::Pets, Theme::Food])),
            ("b".to_string(), set(&[Theme::Nature])),
            ("c".to_string(), set(&[Theme::City])),
        ]
        .into();
        let (per, micro, neg) = score(&labels, &predicted);
        assert_eq!(
            per[&Theme::Pets],
            Counts {
                tp: 1,
                fp: 0,
                fn_: 0
            }
        );
        assert_eq!(
            per[&Theme::Beach],
            Counts {
                tp: 0,
                fp: 0,
                fn_: 1
            }
        );
        assert_eq!(
            per[&Theme::City],
            Counts {
                tp: 0,
                fp: 1,
                fn_: 0
            }
        );
        assert_eq!(
            micro,
            Counts {
                tp: 2,
                fp: 2,
                fn_: 1
            }
        );
        assert_eq!(neg, 1);
        assert!((micro.precision() - 0.5).abs() < 1e-9);
    }
}
