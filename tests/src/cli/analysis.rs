//! Pixels and faces: `analyze` (also as the host, `--host-pixels`), `faces`, `detections`, `exclude-face`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Analyze {
            model,
            no_faces,
            embedder,
            no_people,
            classifier,
            no_themes,
            size,
            threads,
            host_pixels,
            host_pixels_mode,
            json,
        } => {
            let store = open(args)?;
            if let Some(map) = host_pixels {
                let mode = keepsake_harness::host::Mode::parse(host_pixels_mode)
                    .ok_or("--host-pixels-mode takes encoded or rgba")?;
                let host = keepsake_harness::host::FileHost::from_map(map, mode)?;
                store.set_pixel_source(Some(std::sync::Arc::new(host)));
            }
            let model = match model
                .clone()
                .or_else(|| default_model().filter(|_| !no_faces))
            {
                Some(p) => Some(
                    keepsake_core::vision::detect::FaceModel::load_path(&p)
                        .map_err(|e| format!("cannot load the face model: {e}"))?,
                ),
                None => None,
            };
            let options = keepsake_core::analysis::AnalyzeOptions {
                long_side: *size,
                threads: *threads,
                classifier: load_classifier(classifier.as_deref(), *no_themes)?,
                ..Default::default()
            };
            let bar = ProgressBar::new("analysing");
            let started = Instant::now();
            let report = store.analyze(
                model.as_ref(),
                &options,
                &|p: Progress| bar.update(p),
                &CancelToken::new(),
            )?;
            bar.finish();
            let secs = started.elapsed().as_secs_f64();
            let embedder = embedder
                .clone()
                .or_else(crate::people_eval::default_embedder)
                .filter(|_| model.is_some() && !no_people);
            if *json {
                // One object: the analysis, with the people pass under "people".
                let mut v = serde_json::to_value(&report)?;
                v["wall_s"] = serde_json::json!(secs);
                v["peak_rss_mb"] = serde_json::json!(crate::bench_index::peak_rss_mb());
                if let Some(path) = &embedder {
                    v["people"] = serde_json::to_value(super::people::people_update(
                        &store, path, false, true,
                    )?)?;
                }
                println!("{v}");
                return Ok(ExitCode::SUCCESS);
            } else {
                let mut host = if report.need_host_pixels > 0 {
                    format!(
                        "; {} host photos need pixels from the app",
                        report.need_host_pixels
                    )
                } else {
                    String::new()
                };
                for (reason, n) in &report.host_unavailable {
                    host.push_str(&format!("; {n} {reason}"));
                }
                if report.metadata_filled > 0 {
                    host.push_str(&format!(
                        "; {} records completed from the original's metadata",
                        report.metadata_filled
                    ));
                }
                println!(
                    "analysed {} photos in {secs:.1} s ({:.1} photos/s): {} failed, {} faces, {} near-duplicate groups{host}",
                    report.analysed,
                    report.analysed as f64 / secs.max(1e-9),
                    report.failed,
                    report.faces,
                    report.duplicate_groups,
                );
            }
            if let Some(path) = embedder {
                super::people::people_update(&store, &path, false, false)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Faces {
            paths,
            model,
            json,
            size,
        } => {
            let model = model
                .clone()
                .or_else(default_model)
                .ok_or("no face model: pass --model or run scripts/setup.sh")?;
            crate::faces::run(paths, &model, *json, *size)
        }
        Command::Detections { json } => {
            let store = open(args)?;
            for f in store.faces()? {
                if *json {
                    println!("{}", serde_json::to_string(&f)?);
                } else {
                    println!(
                        "{:>6}  {}  {:.0},{:.0} {:.0}x{:.0}  score {:.2}{}",
                        f.id,
                        f.asset,
                        f.x,
                        f.y,
                        f.w,
                        f.h,
                        f.score,
                        if f.excluded { "  excluded" } else { "" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Themes { json, theme } => {
            let store = open(args)?;
            if let Some(name) = theme {
                let theme = keepsake_core::themes::Theme::parse(name)
                    .ok_or_else(|| format!("unknown theme {name:?}"))?;
                for p in store.photos_by_theme(theme)? {
                    if *json {
                        let v = serde_json::json!({"path": p.source_id, "score": p.score});
                        println!("{v}");
                    } else {
                        println!("{:.2}  {}", p.score, p.source_id);
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            for p in store.photo_themes()? {
                if *json {
                    let themes: Vec<_> = p
                        .themes
                        .iter()
                        .map(|(t, s)| serde_json::json!({"theme": t, "score": s}))
                        .collect();
                    let v = serde_json::json!({"path": p.source_id, "themes": themes});
                    println!("{v}");
                } else {
                    let themes: Vec<String> = p
                        .themes
                        .iter()
                        .map(|(t, s)| format!("{t} {s:.2}"))
                        .collect();
                    let classes: Vec<String> = p
                        .classes
                        .iter()
                        .map(|(c, pr)| format!("{c} {pr:.2}"))
                        .collect();
                    println!(
                        "{}  {}{}",
                        p.source_id,
                        if themes.is_empty() {
                            "-".to_string()
                        } else {
                            themes.join(", ")
                        },
                        if classes.is_empty() {
                            String::new()
                        } else {
                            format!("  ({})", classes.join(", "))
                        }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ExcludeFace { faces } => {
            let store = open(args)?;
            let n = store.exclude_faces(faces)?;
            println!("{n} faces excluded: their photos stay out of every suggestion");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err("not a analysis command".into()),
    }
}
