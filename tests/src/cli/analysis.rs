//! Pixels and faces: `analyze` (also as the host, `--host-pixels`), `faces`, `detections`, `exclude-face`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Analyze {
            model,
            no_faces,
            embedder,
            no_people,
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
        Command::ExcludeFace { faces } => {
            let store = open(args)?;
            let n = store.exclude_faces(faces)?;
            println!("{n} faces excluded: their photos stay out of every suggestion");
            Ok(ExitCode::SUCCESS)
        }
        _ => Err("not a analysis command".into()),
    }
}
