//! What people look at: `collage`, `story`, `report`, `sample-library`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Collage {
            suggestion,
            out,
            size,
            template,
            shape,
            layout_json,
            effect,
            strength,
        } => {
            let effect = match effect {
                Some(name) => Some((parse_effect(name)?, *strength)),
                None => None,
            };
            let format = out
                .extension()
                .and_then(|e| e.to_str())
                .and_then(collage::OutputFormat::from_extension)
                .ok_or("--out must end in .jpg, .jpeg or .png")?;
            let template = match template {
                Some(t) => Some(
                    collage::Template::parse(t)
                        .ok_or("unknown template: use single, grid, mosaic or hero-strip")?,
                ),
                None => None,
            };
            let shape = match shape {
                Some(t) => Some(
                    collage::Shape::parse(t)
                        .ok_or("unknown shape: use square, portrait or landscape")?,
                ),
                None => None,
            };
            let store = open(args)?;
            let layout_opts = collage::LayoutOptions {
                size: *size,
                template,
                shape,
                ..Default::default()
            };
            let render_opts = collage::RenderOptions {
                format,
                effect,
                ..Default::default()
            };
            let (layout, rendered) = store.render_collage(
                suggestion,
                None,
                &layout_opts,
                &render_opts,
                &CancelToken::new(),
            )?;
            write_atomically(out, &rendered.bytes)?;
            if *layout_json {
                println!("{}", serde_json::to_string(&layout)?);
            }
            for f in &rendered.failures {
                eprintln!(
                    "collage: photo {} could not be drawn ({}); its cell shows a placeholder",
                    f.asset_id, f.kind
                );
            }
            eprintln!(
                "collage: {} photos, {} template, {}x{} px; decode {:.0} ms, draw {:.0} ms, encode {:.0} ms",
                layout.cells.len(),
                layout.template.as_str(),
                layout.width,
                layout.height,
                rendered.decode_ms,
                rendered.draw_ms,
                rendered.encode_ms
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Effect {
            input,
            effect,
            out,
            strength,
            size,
            list,
        } => {
            use keepsake_core::effects::{self, Effect};
            if *list {
                for e in Effect::ALL {
                    println!("{:<10} {}", e.name(), e.describe());
                }
                return Ok(ExitCode::SUCCESS);
            }
            let (Some(input), Some(name), Some(out)) = (input, effect, out) else {
                return Err("effect: give IN --effect NAME --out FILE, or --list".into());
            };
            let effect = parse_effect(name)?;
            let format = out
                .extension()
                .and_then(|e| e.to_str())
                .and_then(collage::OutputFormat::from_extension)
                .ok_or("effect: --out must end in .jpg, .jpeg or .png")?;
            if !(64..=8192).contains(size) {
                return Err("effect: --size must be 64..=8192".into());
            }
            let probe = keepsake_core::metadata::probe_path(input);
            let hint = keepsake_core::vision::decode::Hint {
                orientation: probe.exif.orientation,
                thumbnail: probe.thumbnail,
            };
            let opts = keepsake_core::vision::decode::DecodeOptions {
                long_side: *size,
                use_thumbnail: false,
                ..Default::default()
            };
            let decoded = keepsake_core::vision::decode::decode_file(input, hint, &opts)
                .map_err(|e| format!("effect: cannot read the photo: {e}"))?;
            let image = effects::apply(&decoded.image, effect, *strength)?;
            write_atomically(out, &collage::encode(&image, format)?)?;
            println!(
                "{} at {strength}: {}x{} written to {}",
                effect.name(),
                image.width,
                image.height,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Story { suggestion } => {
            let store = open(args)?;
            let story = store.story(suggestion, None, &collage::StoryOptions::default())?;
            println!("{}", serde_json::to_string(&story)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            dir,
            out,
            model,
            no_faces,
            size,
        } => {
            std::fs::create_dir_all(out)?;
            let mut store_args = Args {
                command: Command::Audit { json: false },
                db: args.db.clone(),
                now: args.now,
                tz: args.tz.clone(),
                verbose: args.verbose,
            };
            if args.db == std::path::Path::new("keepsake.db") {
                store_args.db = out.join("keepsake.db");
            }
            let store = open(&store_args)?;
            let model = if *no_faces {
                None
            } else if model.is_some() || default_model().is_some() {
                Some(load_model(model.as_deref())?.1)
            } else {
                eprintln!("report: no face model (run scripts/setup.sh): faces are not detected");
                None
            };
            eprintln!(
                "report: granting consent (pixels, faces, suggestions) for this store by running report"
            );
            let bars = [ProgressBar::new("indexing"), ProgressBar::new("analysing")];
            let started = Instant::now();
            let summary = keepsake_harness::report::report(
                &store,
                dir,
                out,
                model.as_ref(),
                *size,
                &|stage, p| bars[usize::from(stage == "analysing")].update(p),
            )?;
            for b in &bars {
                b.finish();
            }
            println!(
                "report: {} photos, {} analysed, {} faces, {} suggestions, {} collages in {:.1} s -> {}",
                summary.photos,
                summary.analysed,
                summary.faces,
                summary.suggestions,
                summary.collages,
                started.elapsed().as_secs_f64(),
                out.join("index.html").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::SampleLibrary { src, out } => {
            let now = args.now.unwrap_or_else(Utc::now);
            let n = keepsake_harness::report::sample_library(src, out, now)?;
            println!("sample-library: {n} photos in {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        _ => Err("not a render command".into()),
    }
}

/// An effect by name; an unknown one is an error that lists them all.
fn parse_effect(name: &str) -> Result<keepsake_core::effects::Effect, String> {
    use keepsake_core::effects::Effect;
    Effect::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Effect::ALL.iter().map(|e| e.name()).collect();
        format!("no effect {name:?}; effects: {}", names.join(", "))
    })
}
