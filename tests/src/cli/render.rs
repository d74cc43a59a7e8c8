//! What people look at: `collage`, `story`, `report`, `sample-library`.

use super::*;
use std::path::Path;

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
            style,
            style_strength,
            model,
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
            let (layout, rendered) = match style {
                Some(spec) => {
                    let network = load_style_model(model.as_deref())?;
                    let blend = keepsake_core::restyle::StyleBlend::parse(spec)?;
                    store.render_collage_restyled(
                        suggestion,
                        None,
                        &layout_opts,
                        &render_opts,
                        &network,
                        &blend,
                        style_strength.unwrap_or(keepsake_core::restyle::DEFAULT_STRENGTH),
                        &mut |_, _| {},
                        &CancelToken::new(),
                    )?
                }
                None => store.render_collage(
                    suggestion,
                    None,
                    &layout_opts,
                    &render_opts,
                    &CancelToken::new(),
                )?,
            };
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
            let format = output_format(out).map_err(|e| format!("effect: {e}"))?;
            if !(64..=8192).contains(size) {
                return Err("effect: --size must be 64..=8192".into());
            }
            let photo = read_photo(input, *size).map_err(|e| format!("effect: {e}"))?;
            let image = effects::apply(&photo, effect, *strength)?;
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
        Command::Restyle {
            input,
            style,
            out,
            strength,
            size,
            model,
            sheet,
            list,
        } => restyle(
            input.as_deref(),
            style.as_deref(),
            out.as_deref(),
            *strength,
            *size,
            model.as_deref(),
            *sheet,
            *list,
        ),
        Command::Video {
            suggestion,
            out,
            size,
            fps,
            effect,
            style,
            strength,
            model,
        } => {
            if out
                .extension()
                .and_then(|e| e.to_str())
                .and_then(keepsake_video::Container::from_extension)
                .is_none()
            {
                return Err("video: --out must end in .mp4 or .webm".into());
            }
            if !(144..=2160).contains(size) || !size.is_multiple_of(2) {
                return Err("video: --size must be even, 144..=2160".into());
            }
            let look = match (effect, style) {
                (Some(name), _) => Some(collage::Look::Effect(
                    parse_effect(name)?,
                    strength.unwrap_or(1.0),
                )),
                (None, Some(spec)) => Some(collage::Look::Style(
                    load_style_model(model.as_deref())?,
                    keepsake_core::restyle::StyleBlend::parse(spec)?,
                    strength.unwrap_or(keepsake_core::restyle::DEFAULT_STRENGTH),
                )),
                (None, None) => None,
            };
            let store = open(args)?;
            // Portrait 9:16, both sides even.
            let height = (size * 16 / 9).div_ceil(2) * 2;
            let player = store.story_player(suggestion, args.now, *size, height, look)?;
            let started = Instant::now();
            let mut shown = 0;
            let written = keepsake_harness::video::write(
                &player,
                out,
                &keepsake_harness::video::VideoOptions {
                    fps: *fps,
                    ..Default::default()
                },
                &mut |done, total| {
                    let pct = done * 100 / total.max(1);
                    if pct >= shown + 10 {
                        shown = pct;
                        eprintln!("video: {pct} % ({done}/{total} frames)");
                    }
                },
                &CancelToken::new(),
            )?;
            let secs = started.elapsed().as_secs_f64();
            for f in player.failures() {
                eprintln!(
                    "video: photo {} shown as a blank card ({})",
                    f.asset_id, f.kind
                );
            }
            println!(
                "{}x{height} AV1, {} frames at {fps} fps ({:.1} s) written to {} ({} KB) in {secs:.1} s: \
                 {:.1} frames/s (drawing {:.1} s, encoding {:.1} s)",
                size,
                written.frames,
                written.duration_ms as f64 / 1000.0,
                out.display(),
                written.bytes / 1024,
                written.frames as f64 / secs.max(1e-9),
                written.draw_s,
                written.encode_s
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
            embedder,
            no_faces,
            size,
        } => {
            std::fs::create_dir_all(out)?;
            let mut store_args = Args {
                command: Command::Audit { json: false },
                db: args.db.clone(),
                now: args.now,
                tz: args.tz.clone(),
                places: args.places.clone(),
                no_places: args.no_places,
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
            let embedder = match embedder
                .clone()
                .or_else(|| setup_model("face_embed_dlib_resnet_v1.onnx"))
            {
                Some(path) if model.is_some() => Some(
                    keepsake_core::people::Embedder::load_path(&path)
                        .map_err(|e| format!("cannot load the face embedder: {e}"))?,
                ),
                Some(_) => None,
                None => {
                    eprintln!("report: no face embedder (run scripts/setup.sh): faces are not grouped into people");
                    None
                }
            };
            // The style network draws the looks suggestions propose (when set-up fetched it).
            let style = setup_model("multistyle26.onnx")
                .map(|p| keepsake_core::restyle::StyleModel::load_path(&p))
                .transpose()?;
            let classifier = load_classifier(None, false)?;
            let bars = [
                ProgressBar::new("indexing"),
                ProgressBar::new("analysing"),
                ProgressBar::new("people"),
            ];
            let started = Instant::now();
            let summary = keepsake_harness::report::report(
                &store,
                dir,
                out,
                &keepsake_harness::report::Models {
                    faces: model.as_ref(),
                    embedder: embedder.as_ref(),
                    style: style.as_ref(),
                    classifier: classifier.as_deref(),
                },
                *size,
                &|stage, p| {
                    let i = match stage {
                        "indexing" => 0,
                        "analysing" => 1,
                        _ => 2,
                    };
                    bars[i].update(p)
                },
            )?;
            for b in &bars {
                b.finish();
            }
            println!(
                "report: {} photos, {} analysed, {} faces, {} people, {} suggestions, {} collages, {} videos in {:.1} s -> {}",
                summary.photos,
                summary.analysed,
                summary.faces,
                summary.people,
                summary.suggestions,
                summary.collages,
                summary.videos,
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

/// A photo decoded upright at `size` on the long side (or its own size when smaller).
fn read_photo(input: &Path, size: u32) -> Result<keepsake_core::vision::Rgb, String> {
    let probe = keepsake_core::metadata::probe_path(input);
    let hint = keepsake_core::vision::decode::Hint {
        orientation: probe.exif.orientation,
        thumbnail: probe.thumbnail,
    };
    let opts = keepsake_core::vision::decode::DecodeOptions {
        long_side: size,
        use_thumbnail: false,
        ..Default::default()
    };
    let mut img = keepsake_core::vision::decode::decode_file(input, hint, &opts)
        .map_err(|e| format!("cannot read the photo: {e}"))?
        .image;
    if img.width.max(img.height) > size {
        img = keepsake_core::vision::decode::resize(img, size)
            .map_err(|e| format!("cannot resize the photo: {e}"))?;
    }
    Ok(img)
}

fn output_format(out: &Path) -> Result<collage::OutputFormat, String> {
    out.extension()
        .and_then(|e| e.to_str())
        .and_then(collage::OutputFormat::from_extension)
        .ok_or_else(|| "--out must end in .jpg, .jpeg or .png".to_string())
}

#[allow(clippy::too_many_arguments)]
fn restyle(
    input: Option<&Path>,
    style: Option<&str>,
    out: Option<&Path>,
    strength: f32,
    size: u32,
    model: Option<&Path>,
    sheet: bool,
    list: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use keepsake_core::restyle::{Style, StyleBlend};
    if list {
        for s in Style::all() {
            println!("{:<12} {}", s.name(), s.describe());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(input), Some(out)) = (input, out) else {
        return Err("restyle: give IN --style NAME --out FILE, or --list".into());
    };
    let format = output_format(out).map_err(|e| format!("restyle: {e}"))?;
    keepsake_core::effects::check_strength(strength)?;
    if !(64..=8192).contains(&size) {
        return Err("restyle: --size must be 64..=8192".into());
    }
    let model = load_style_model(model)?;
    let cancel = CancelToken::new();
    let started = Instant::now();
    let image = if sheet {
        let photo = read_photo(input, 256).map_err(|e| format!("restyle: {e}"))?;
        let mut tiles = vec![photo.clone()];
        for s in Style::all() {
            tiles.push(model.restyle(
                &photo,
                &StyleBlend::one(s),
                1.0,
                &[],
                &mut |_, _| {},
                &cancel,
            )?);
        }
        contact_sheet(&tiles, 7)
    } else {
        let Some(spec) = style else {
            return Err("restyle: --style is required".into());
        };
        let blend = StyleBlend::parse(spec)?;
        let photo = read_photo(input, size).map_err(|e| format!("restyle: {e}"))?;
        let faces = faces_in(&photo)?;
        let mut last = 0;
        let painted = model.restyle(
            &photo,
            &blend,
            strength,
            &faces,
            &mut |done, total| {
                let pct = done * 100 / total.max(1);
                if pct >= last + 25 {
                    last = pct;
                    eprintln!("restyle: {pct} %");
                }
            },
            &cancel,
        )?;
        if painted.width.max(painted.height) < photo.width.max(photo.height) {
            keepsake_core::vision::decode::resize_to(painted, photo.width, photo.height)
                .map_err(|e| format!("restyle: {e}"))?
        } else {
            painted
        }
    };
    write_atomically(out, &collage::encode(&image, format)?)?;
    println!(
        "{} at {strength}: {}x{} written to {} in {:.0} ms",
        style.unwrap_or("every style"),
        image.width,
        image.height,
        out.display(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(ExitCode::SUCCESS)
}

/// Faces in `img` by the default detector (kept recognisable by restyles); none when
/// set-up has not fetched it.
fn faces_in(img: &keepsake_core::vision::Rgb) -> Result<Vec<collage::Rect>, String> {
    use keepsake_core::vision::detect::DetectParams;
    let Some(path) = default_model() else {
        eprintln!("restyle: no face model (run scripts/setup.sh): faces are not kept recognisable");
        return Ok(Vec::new());
    };
    let (_, detector) = load_model(Some(&path))?;
    // The detector works at ≤ 640 px on the long side; boxes are scaled back.
    let k = (640.0 / f64::from(img.width.max(img.height))).min(1.0);
    let small = if k < 1.0 {
        keepsake_core::vision::decode::resize(img.clone(), 640).map_err(|e| e.to_string())?
    } else {
        img.clone()
    };
    let faces = detector
        .detect(&small, &DetectParams::for_kind(detector.kind()))
        .map_err(|e| format!("face detection: {e}"))?;
    Ok(faces
        .iter()
        .map(|f| {
            collage::Rect::new(
                f64::from(f.x) / k,
                f64::from(f.y) / k,
                f64::from(f.w) / k,
                f64::from(f.h) / k,
            )
        })
        .collect())
}

/// `tiles` (all the same size) in rows of `columns`, on white.
fn contact_sheet(
    tiles: &[keepsake_core::vision::Rgb],
    columns: usize,
) -> keepsake_core::vision::Rgb {
    let (tw, th) = (tiles[0].width as usize, tiles[0].height as usize);
    let rows = tiles.len().div_ceil(columns);
    let (w, h) = (tw * columns, th * rows);
    let mut data = vec![255u8; w * h * 3];
    for (i, tile) in tiles.iter().enumerate() {
        let (x0, y0) = ((i % columns) * tw, (i / columns) * th);
        for y in 0..th.min(tile.height as usize) {
            let row = &tile.data[y * tile.width as usize * 3..][..tw.min(tile.width as usize) * 3];
            let at = ((y0 + y) * w + x0) * 3;
            data[at..at + row.len()].copy_from_slice(row);
        }
    }
    keepsake_core::vision::Rgb {
        width: w as u32,
        height: h as u32,
        data,
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
