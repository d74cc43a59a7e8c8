//! `keepsake report` — the main job in one command (index a folder, analyse, suggest,
//! render a collage per suggestion) written as a static HTML page that opens from disk
//! with no server and no network request — and `keepsake sample-library`, which turns a
//! few photos into a camera roll with an EXIF timeline for people without their own.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use keepsake_core::collage::{self, LayoutOptions, OutputFormat, RenderOptions};
use keepsake_core::suggest::Suggestion;
use keepsake_core::vision::decode::{self, DecodeOptions, Hint};
use keepsake_core::vision::detect::FaceModel;
use keepsake_core::{CancelToken, Keepsake, Origin, Progress, ScanOptions, Scope};

use crate::synth::{with_exif, ExifSpec};

type Failure = Box<dyn std::error::Error>;

/// What `report` did, for its summary line and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub photos: u64,
    pub analysed: u64,
    pub faces: u64,
    pub suggestions: usize,
    pub collages: usize,
    pub cell_failures: usize,
    pub people: u64,
    pub videos: usize,
}

/// Story frames in the page's player: small, 4 per second.
const PLAYER_SIZE: (u32, u32) = (180, 320);
const PLAYER_FPS: u64 = 4;
/// The linked videos: 270×480, 12 frames/s.
const VIDEO_SIZE: (u32, u32) = (270, 480);
const VIDEO_FPS: u32 = 12;

/// The models the report runs: each optional (without one, its pass is skipped and the
/// page says so).
#[derive(Debug, Clone, Copy, Default)]
pub struct Models<'a> {
    pub faces: Option<&'a FaceModel>,
    /// Groups faces into people (needs `faces`).
    pub embedder: Option<&'a keepsake_core::people::Embedder>,
    /// Draws the looks suggestions propose.
    pub style: Option<&'a keepsake_core::restyle::StyleModel>,
    /// Sorts the photos into content themes.
    pub classifier: Option<&'a keepsake_core::themes::Classifier>,
}

/// Runs the whole pipeline over `dir` into `out` (`out/index.html`, `out/collages/`,
/// `out/photos/`). Consent for every scope is granted by running this command (the
/// audit log records it).
pub fn report(
    store: &Keepsake,
    dir: &Path,
    out: &Path,
    models: &Models<'_>,
    size: u32,
    listener: &(dyn Fn(&str, Progress) + Sync),
) -> Result<Summary, Failure> {
    let Models {
        faces: model,
        embedder,
        style: style_model,
        classifier,
    } = *models;
    let cancel = CancelToken::new();
    let mut times: Vec<(&str, f64)> = Vec::new();
    let t = Instant::now();
    let scan = store.scan_folder(
        dir,
        ScanOptions::default(),
        &|p| listener("indexing", p),
        &cancel,
    )?;
    times.push(("index", secs(t)));
    for scope in Scope::ALL {
        store.grant_consent(scope)?;
    }
    let t = Instant::now();
    let analysis = store.analyze(
        model,
        &keepsake_core::analysis::AnalyzeOptions {
            classifier: classifier.map(|c| std::sync::Arc::new(c.clone())),
            ..Default::default()
        },
        &|p| listener("analysing", p),
        &cancel,
    )?;
    times.push(("analyse", secs(t)));
    // Every pass the core has: faces into people, when there is an embedder.
    let people = match embedder {
        Some(e) if model.is_some() => {
            let t = Instant::now();
            let r = store.update_people(
                e,
                &keepsake_core::people::PeopleOptions::default(),
                &|p| listener("people", p),
                &cancel,
            )?;
            times.push(("people", secs(t)));
            Some(r)
        }
        _ => None,
    };
    let t = Instant::now();
    let suggestions = store.suggestions(None, &[])?;
    times.push(("suggest", secs(t)));

    for sub in ["collages", "photos", "stories", "videos", "looks"] {
        std::fs::create_dir_all(out.join(sub))?;
    }
    let assets: HashMap<i64, keepsake_core::StoredAsset> =
        store.assets()?.into_iter().map(|a| (a.id, a)).collect();
    let mut faces: HashMap<i64, Vec<keepsake_core::analysis::StoredFace>> = HashMap::new();
    for f in store.faces()? {
        faces.entry(f.asset_id).or_default().push(f);
    }

    let t = Instant::now();
    let mut sections = String::new();
    let mut collages = 0;
    let mut videos = 0;
    let mut cell_failures = 0;
    let mut thumbs: HashMap<i64, Option<Thumb>> = HashMap::new();
    let layout_opts = LayoutOptions {
        size,
        ..Default::default()
    };
    let render_opts = RenderOptions {
        corner_radius: 0.03,
        ..Default::default()
    };
    for (i, s) in suggestions.iter().enumerate() {
        let name = format!("{:02}-{}", i + 1, safe(&s.id));
        let collage_html = match store.render_collage(
            &s.id,
            None,
            &layout_opts,
            &render_opts,
            &cancel,
        ) {
            Ok((layout, rendered)) => {
                std::fs::write(
                    out.join("collages").join(format!("{name}.jpg")),
                    &rendered.bytes,
                )?;
                collages += 1;
                cell_failures += rendered.failures.len();
                let failed = if rendered.failures.is_empty() {
                    String::new()
                } else {
                    let kinds: Vec<&str> = rendered.failures.iter().map(|f| f.kind).collect();
                    format!(
                        "<p class=warn>{} photo(s) could not be drawn ({}); their cells show a placeholder.</p>",
                        rendered.failures.len(),
                        esc(&kinds.join(", "))
                    )
                };
                format!(
                    "<img class=collage src=\"collages/{name}.jpg\" width={} height={} alt=\"collage\">\
                     <p class=meta>{} template, {} canvas, {}×{} px; decode {:.0} ms, draw {:.0} ms, encode {:.0} ms</p>{failed}",
                    layout.width,
                    layout.height,
                    layout.template.as_str(),
                    layout.shape.as_str(),
                    layout.width,
                    layout.height,
                    rendered.decode_ms,
                    rendered.draw_ms,
                    rendered.encode_ms
                )
            }
            Err(e) => format!("<p class=warn>No collage: {}</p>", esc(&e.to_string())),
        };
        let story = match story_player(store, &s.id, &name, out) {
            Ok(html) => {
                if html.contains("<a class=video") {
                    videos += 1;
                }
                html
            }
            Err(e) => format!("<p class=warn>No story: {}</p>", esc(&e.to_string())),
        };
        let mut figures = String::new();
        for id in &s.assets {
            let thumb = thumbs
                .entry(*id)
                .or_insert_with(|| thumbnail(dir, assets.get(id), out).ok().flatten());
            let caption = assets
                .get(id)
                .map_or("(deleted)", |a| a.asset.source_id.as_str());
            figures.push_str(&figure(
                thumb.as_ref(),
                faces.get(id).map_or(&[][..], Vec::as_slice),
                caption,
            ));
        }
        let _ = write!(
            sections,
            "<section id=\"s{}\"><h2>{}</h2><p class=meta>{} · {} – {} · {} photos · score {:.2}</p>\
             <div class=pair><div>{collage_html}</div><div>{story}</div><div><h3>Why</h3><ul>{}</ul>{}</div></div>\
             <details><summary>The photos</summary><div class=photos>{figures}</div></details></section>",
            i + 1,
            esc(&keepsake_core::suggest::title_text(&s.title)),
            s.kind.as_str(),
            s.start.date_naive(),
            s.end.date_naive(),
            s.assets.len(),
            s.score,
            reasons(s),
            look(store, s, assets.get(&s.cover), style_model, &name, out)
        );
    }
    times.push(("collages and photos", secs(t)));

    let stages = &analysis.stages;
    let per_stage = format!(
        "decode {:.0} ms, detect {:.0} ms, quality {:.0} ms, hash {:.0} ms, store {:.0} ms (summed over workers)",
        stages.decode_ms, stages.detect_ms, stages.quality_ms, stages.hash_ms, stages.store_ms
    );
    let total_photos = assets.len() as u64;
    let mut table: Vec<(String, String)> = vec![
        (
            "Photos indexed".into(),
            format!(
                "{total_photos} ({} new, {} changed, {} skipped)",
                scan.sync.added,
                scan.sync.changed,
                scan.skipped.len()
            ),
        ),
        (
            "Photos analysed".into(),
            format!("{} ({} failed)", analysis.analysed, analysis.failed),
        ),
        (
            "Faces found".into(),
            format!(
                "{}{}",
                analysis.faces,
                if model.is_none() {
                    " (no face model)"
                } else {
                    ""
                }
            ),
        ),
        (
            "People".into(),
            match &people {
                Some(r) => format!(
                    "{} ({} faces described, {} waiting)",
                    r.people, r.described, r.waiting
                ),
                None => "not grouped (no face embedder: run scripts/setup.sh)".into(),
            },
        ),
        ("Suggestions".into(), suggestions.len().to_string()),
        ("Collages".into(), collages.to_string()),
    ];
    table.extend(
        times
            .iter()
            .map(|(k, v)| (format!("Time: {k}"), format!("{:.0} ms", v * 1000.0))),
    );
    let rows: String = table
        .iter()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v)))
        .collect();
    let html = page(&rows, &per_stage, &sections, suggestions.len());
    std::fs::write(out.join("index.html"), html)?;
    Ok(Summary {
        photos: total_photos,
        analysed: analysis.analysed,
        faces: analysis.faces,
        suggestions: suggestions.len(),
        collages,
        cell_failures,
        people: people.map_or(0, |r| r.people),
        videos,
    })
}

/// The page's story player for a suggestion — the core's own frames (5 a second, in
/// `stories/NAME/`), swapped by the page's small script — and the story as a video
/// (`videos/NAME.mp4`), linked.
fn story_player(store: &Keepsake, id: &str, name: &str, out: &Path) -> Result<String, Failure> {
    let cancel = CancelToken::new();
    let (w, h) = PLAYER_SIZE;
    let player = store.story_player(id, None, w, h, None)?;
    let dir = out.join("stories").join(name);
    std::fs::create_dir_all(&dir)?;
    let frames = player.duration_ms() * PLAYER_FPS / 1000;
    for i in 0..frames {
        let img = player.frame(i * 1000 / PLAYER_FPS, &cancel)?;
        let jpeg = keepsake_core::collage::encode(
            &img,
            keepsake_core::collage::OutputFormat::Jpeg { quality: 70 },
        )?;
        std::fs::write(dir.join(format!("{i:04}.jpg")), jpeg)?;
    }
    let (vw, vh) = VIDEO_SIZE;
    let video = store.story_player(id, None, vw, vh, None)?;
    let file = out.join("videos").join(format!("{name}.mp4"));
    let link = match crate::video::write(
        &video,
        &file,
        &crate::video::VideoOptions {
            fps: VIDEO_FPS,
            ..Default::default()
        },
        &mut |_, _| {},
        &cancel,
    ) {
        Ok(written) => format!(
            "<a class=video href=\"videos/{name}.mp4\">Video ({:.0} s, {vw}×{vh}, AV1, {} KB)</a>",
            written.duration_ms as f64 / 1000.0,
            written.bytes / 1024
        ),
        Err(e) => format!("<span class=warn>No video: {}</span>", esc(&e.to_string())),
    };
    Ok(format!(
        "<div class=player data-dir=\"stories/{name}/\" data-frames={frames} data-fps={PLAYER_FPS}>\
         <img class=screen src=\"stories/{name}/0000.jpg\" width={w} height={h} alt=\"story\">\
         <p><button type=button>Play</button> <span class=clock>0.0 / {:.1} s</span> · {link}</p></div>",
        player.duration_ms() as f64 / 1000.0
    ))
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// A suggestion id as a file name part.
fn safe(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect()
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn reasons(s: &Suggestion) -> String {
    s.reasons.iter().map(reason).collect()
}

fn reason(r: &keepsake_core::suggest::Reason) -> String {
    let facts: Vec<String> = r
        .facts
        .iter()
        .map(|(k, v)| format!("{} {}", k.replace('_', " "), (v * 100.0).round() / 100.0))
        .collect();
    format!(
        "<li><b>{}</b>: {}</li>",
        esc(&r.rule.replace('_', " ")),
        esc(&facts.join(", "))
    )
}

/// The suggestion's proposed look on its cover photo (`looks/NAME.jpg`), with its reason.
fn look(
    store: &Keepsake,
    s: &Suggestion,
    cover: Option<&keepsake_core::StoredAsset>,
    style_model: Option<&keepsake_core::restyle::StyleModel>,
    name: &str,
    out: &Path,
) -> String {
    use keepsake_core::suggest::look::LookKind;
    let (Some(look), Some(cover)) = (&s.look, cover) else {
        return String::new();
    };
    let format = OutputFormat::Jpeg { quality: 85 };
    let source = &cover.asset.source_id;
    let made = match look.kind {
        LookKind::Effect => keepsake_core::effects::Effect::parse(look.name)
            .ok_or_else(|| "unknown effect".to_string())
            .and_then(|e| {
                store
                    .render_photo(source, 400, Some((e, look.strength)), format)
                    .map_err(|e| e.to_string())
            }),
        LookKind::Style => match style_model {
            Some(model) => keepsake_core::restyle::StyleBlend::parse(look.name)
                .and_then(|blend| {
                    store.restyle_photo(
                        source,
                        model,
                        &blend,
                        look.strength,
                        400,
                        format,
                        &mut |_, _| {},
                        &CancelToken::new(),
                    )
                })
                .map_err(|e| e.to_string()),
            None => Err("no style network (run scripts/setup.sh)".into()),
        },
    };
    let kind = match look.kind {
        LookKind::Effect => "effect",
        LookKind::Style => "style",
    };
    let shown = match made.and_then(|(bytes, w, h)| {
        std::fs::write(out.join("looks").join(format!("{name}.jpg")), bytes)
            .map(|()| (w, h))
            .map_err(|e| e.to_string())
    }) {
        Ok((w, h)) => format!(
            "<img class=look src=\"looks/{name}.jpg\" width={w} height={h} alt=\"the cover in this look\">"
        ),
        Err(e) => format!("<p class=warn>Look not drawn: {}</p>", esc(&e)),
    };
    format!(
        "<h3>Suggested look: {} ({kind}, strength {:.1})</h3><ul>{}</ul>{shown}",
        esc(look.name),
        look.strength,
        reason(&look.reason)
    )
}

struct Thumb {
    file: String,
    width: u32,
    height: u32,
    /// Upright size of the original, to place face boxes.
    original: (u32, u32),
}

/// A 480 px copy of a photo in `out/photos/` (photos without a readable file have none).
fn thumbnail(
    dir: &Path,
    asset: Option<&keepsake_core::StoredAsset>,
    out: &Path,
) -> Result<Option<Thumb>, Failure> {
    let Some(a) = asset else { return Ok(None) };
    if a.asset.origin != Origin::Folder {
        return Ok(None);
    }
    let hint = Hint {
        orientation: a.asset.orientation,
        thumbnail: a.asset.thumbnail,
    };
    let opts = DecodeOptions {
        long_side: 480,
        ..DecodeOptions::default()
    };
    let Ok(d) = decode::decode_file(&dir.join(&a.asset.uri), hint, &opts) else {
        return Ok(None);
    };
    let bytes = collage::encode(&d.image, OutputFormat::Jpeg { quality: 82 })?;
    let file = format!("photos/{}.jpg", a.id);
    std::fs::write(out.join(&file), bytes)?;
    Ok(Some(Thumb {
        file,
        width: d.image.width,
        height: d.image.height,
        original: (d.original_width, d.original_height),
    }))
}

fn figure(
    thumb: Option<&Thumb>,
    faces: &[keepsake_core::analysis::StoredFace],
    caption: &str,
) -> String {
    let Some(t) = thumb else {
        return format!("<figure class=photo><div class=missing>no preview</div><figcaption>{}</figcaption></figure>", esc(caption));
    };
    let (ow, oh) = (
        f64::from(t.original.0.max(1)),
        f64::from(t.original.1.max(1)),
    );
    let boxes: String = faces
        .iter()
        .map(|f| {
            format!(
                "<span class=box style=\"left:{:.2}%;top:{:.2}%;width:{:.2}%;height:{:.2}%\" title=\"face {:.2}\"></span>",
                100.0 * f.x / ow,
                100.0 * f.y / oh,
                100.0 * f.w / ow,
                100.0 * f.h / oh,
                f.score
            )
        })
        .collect();
    format!(
        "<figure class=photo><div class=frame><img src=\"{}\" width={} height={} alt=\"\">{boxes}</div>\
         <figcaption>{} · {} face(s)</figcaption></figure>",
        t.file,
        t.width,
        t.height,
        esc(caption),
        faces.len()
    )
}

fn page(rows: &str, per_stage: &str, sections: &str, n: usize) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Keepsake report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1em; color: #222; }}
table {{ border-collapse: collapse; }} th, td {{ text-align: left; padding: .2em .8em .2em 0; }}
section {{ border-top: 1px solid #ddd; padding: 1em 0; }}
.pair {{ display: flex; gap: 1.5em; flex-wrap: wrap; }} .pair > div {{ flex: 1 1 340px; }}
.collage {{ width: 100%; height: auto; box-shadow: 0 1px 4px #0003; }}
.look {{ max-width: 100%; height: auto; border-radius: 6px; }}
.meta {{ color: #666; font-size: .9em; }} .warn {{ color: #a40; }}
.photos {{ display: flex; flex-wrap: wrap; gap: .6em; }}
.photo {{ margin: 0; width: 220px; }} .photo figcaption {{ font-size: .75em; color: #666; overflow-wrap: anywhere; }}
.frame {{ position: relative; line-height: 0; }} .frame img {{ width: 100%; height: auto; }}
.missing {{ background: #eee; height: 140px; display: grid; place-items: center; color: #888; }}
.box {{ position: absolute; border: 2px solid #ff0; box-shadow: 0 0 0 1px #000; display: none; }}
#faces:checked ~ main .box {{ display: block; }}
details {{ margin-top: .8em; }}
.player {{ flex: 0 0 auto !important; }} .screen {{ display: block; border-radius: 6px; background: #111; }}
</style></head><body>
<h1>Keepsake report</h1>
<p class=meta>Made on this machine; nothing here was sent anywhere.</p>
<table>{rows}</table>
<p class=meta>Analysis stages: {per_stage}</p>
<input type=checkbox id=faces><label for=faces> Show face boxes</label>
<main>
<h2 class=meta>{n} suggestions</h2>
{sections}
</main>
<script>
// The story player: shows the story's frames in turn (written beside this page by the
// report), from the first again when it ends. No network, nothing else loaded.
for (const p of document.querySelectorAll('.player')) {{
  const img = p.querySelector('.screen'), button = p.querySelector('button'),
        clock = p.querySelector('.clock');
  const frames = +p.dataset.frames, fps = +p.dataset.fps, dir = p.dataset.dir;
  const total = (frames / fps).toFixed(1);
  let i = 0, timer = null;
  const show = () => {{
    img.src = dir + String(i).padStart(4, '0') + '.jpg';
    p.dataset.shown = i;
    clock.textContent = (i / fps).toFixed(1) + ' / ' + total + ' s';
  }};
  button.addEventListener('click', () => {{
    if (timer) {{ clearInterval(timer); timer = null; button.textContent = 'Play'; return; }}
    if (i >= frames - 1) i = 0;
    button.textContent = 'Pause';
    timer = setInterval(() => {{
      if (i >= frames - 1) {{ clearInterval(timer); timer = null; button.textContent = 'Play'; return; }}
      i += 1; show();
    }}, 1000 / fps);
  }});
}}
</script>
</body></html>
"#
    )
}

/// Makes a sample camera roll in `out` from the images in `src` (PNG or JPEG): each
/// image gives four photos (the whole, two crops, a mirror image) with EXIF capture
/// times and GPS spread over the 30 days before `now` — a weekend trip, an evening
/// gathering, a morning out and single days at home. Returns the number of photos.
pub fn sample_library(src: &Path, out: &Path, now: DateTime<Utc>) -> Result<usize, Failure> {
    let mut sources: Vec<PathBuf> = std::fs::read_dir(src)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
        })
        .collect();
    sources.sort();
    if sources.is_empty() {
        return Err("sample-library: no PNG or JPEG images in the source folder".into());
    }
    std::fs::create_dir_all(out)?;
    let home = (52.0907, 5.1214);
    let away = (43.7696, 11.2558);
    let day = |d: i64, h: i64, m: i64| {
        let midnight = (now - Duration::days(d))
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc());
        midnight.map(|t| t + Duration::hours(h) + Duration::minutes(m))
    };
    let mut written = 0;
    for (i, path) in sources.iter().enumerate() {
        let i = i as i64;
        let bytes = std::fs::read(path)?;
        let opts = DecodeOptions {
            long_side: 2048,
            use_thumbnail: false,
            ..DecodeOptions::default()
        };
        let img = decode::decode_bytes(&bytes, Hint::default(), &opts)
            .map_err(|e| {
                format!(
                    "sample-library: an image could not be decoded ({})",
                    e.kind()
                )
            })?
            .image;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("photo");
        // (variant, when, where)
        let plan = [
            ("a", day(12 - (i % 3), 9 + 2 * (i / 3), 10 * i), away),
            ("b", day(6, 18, 7 * i), home),
            ("c", day(2, 9, 25 * i), home),
            ("d", day(27 - 2 * i, 12, 0), home),
        ];
        for (variant, when, gps) in plan {
            let Some(when) = when.filter(|t| *t < now) else {
                continue;
            };
            let pixels = match variant {
                "b" => crop(&img, 0.0, 0.0, 0.8),
                "c" => crop(&img, 0.2, 0.2, 0.8),
                // EXIF orientation 2 is a horizontal mirror.
                "d" => keepsake_core::vision::orient::apply(img.clone(), 2),
                _ => img.clone(),
            };
            let jpeg = collage::encode(&pixels, OutputFormat::Jpeg { quality: 90 })?;
            let spec = ExifSpec {
                datetime_original: Some(when.format("%Y:%m:%d %H:%M:%S").to_string()),
                offset: Some("+00:00".into()),
                gps: Some(gps),
                make: Some("Keepsake sample".into()),
                ..ExifSpec::default()
            };
            let with = with_exif(&jpeg, &spec).ok_or("sample-library: EXIF could not be added")?;
            std::fs::write(out.join(format!("{stem}-{variant}.jpg")), with)?;
            written += 1;
        }
    }
    Ok(written)
}

fn crop(img: &keepsake_core::vision::Rgb, fx: f64, fy: f64, f: f64) -> keepsake_core::vision::Rgb {
    let (w, h) = (img.width as usize, img.height as usize);
    let (cw, ch) = (((w as f64) * f) as usize, ((h as f64) * f) as usize);
    let (x0, y0) = (((w as f64) * fx) as usize, ((h as f64) * fy) as usize);
    let (x0, y0) = (x0.min(w - cw), y0.min(h - ch));
    let mut data = Vec::with_capacity(cw * ch * 3);
    for y in y0..y0 + ch {
        data.extend_from_slice(&img.data[(y * w + x0) * 3..(y * w + x0 + cw) * 3]);
    }
    keepsake_core::vision::Rgb {
        width: cw as u32,
        height: ch as u32,
        data,
    }
}
