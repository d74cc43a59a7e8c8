//! `keepsake bench collage DIR`: rendering a 9-photo collage from 12 MP JPEGs against
//! decoding the same 9 photos at the scale their cells need (the baseline, measured in
//! the same run with the same decoder). Goal: render ≤ 1.5 × decode.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use keepsake_core::collage::{
    self, render::needed_long_side, LayoutOptions, LayoutPhoto, OutputFormat, RenderOptions,
};
use keepsake_core::pixels::AssetPixels;
use keepsake_core::vision::decode::Hint;
use keepsake_core::vision::orient;
use keepsake_core::CancelToken;

pub fn run(dir: &Path, size: u32, runs: usize) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("bench_12mp_") && n.ends_with(".jpg"))
        })
        .collect();
    files.sort();
    if files.len() < 9 {
        return Err(format!(
            "bench collage: needs 9 bench_12mp_*.jpg in the folder, found {} \
             (scripts/make-bench-photos.py … --count 9)",
            files.len()
        )
        .into());
    }
    files.truncate(9);
    let mut source = AssetPixels::new();
    let mut photos = Vec::new();
    let mut bytes = 0;
    for (i, path) in files.iter().enumerate() {
        let probe = keepsake_core::metadata::probe_path(path);
        let (Some(w), Some(h)) = (probe.width, probe.height) else {
            return Err("bench collage: a photo's size could not be read".into());
        };
        let orientation = probe.exif.orientation.unwrap_or(1);
        let (width, height) = orient::upright_size(w, h, orientation);
        bytes += std::fs::metadata(path)?.len();
        source.insert_file(
            i as i64,
            path.clone(),
            Hint {
                orientation: Some(orientation),
                thumbnail: probe.thumbnail,
            },
        );
        photos.push(LayoutPhoto {
            asset_id: i as i64,
            width,
            height,
            orientation,
            faces: vec![],
        });
    }
    let layout = collage::layout(
        &photos,
        &LayoutOptions {
            size,
            ..Default::default()
        },
    )?;
    let opts = RenderOptions {
        format: OutputFormat::Jpeg { quality: 88 },
        ..Default::default()
    };
    println!(
        "bench collage: 9 photos of 12 MP ({:.1} MB), {} template, {}x{} px, JPEG q88, {} runs",
        bytes as f64 / 1e6,
        layout.template.as_str(),
        layout.width,
        layout.height,
        runs
    );
    let scales: Vec<String> = layout
        .cells
        .iter()
        .map(|c| {
            let long = needed_long_side(c);
            format!("{long}")
        })
        .collect();
    println!("  decode long side per cell: {} px", scales.join(", "));
    let (mut decode, mut render) = (Vec::new(), Vec::new());
    let mut out_bytes = 0;
    for run in 0..runs.max(1) {
        // Alternate the order, so neither side always runs with warm caches.
        for step in 0..2 {
            if (run + step) % 2 == 0 {
                let t = Instant::now();
                for cell in &layout.cells {
                    let d = source
                        .pixels(cell.asset_id, needed_long_side(cell))
                        .map_err(|e| format!("bench collage: decode failed ({})", e.kind()))?;
                    std::hint::black_box(&d);
                }
                decode.push(t.elapsed().as_secs_f64() * 1000.0);
            } else {
                let t = Instant::now();
                let r = collage::render(&layout, &source, &opts, &CancelToken::new())?;
                render.push(t.elapsed().as_secs_f64() * 1000.0);
                if !r.failures.is_empty() {
                    return Err("bench collage: a photo failed to render".into());
                }
                out_bytes = r.bytes.len();
            }
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (d, r) = (median(decode), median(render));
    println!("  decode the 9 photos at the needed scale: {d:8.1} ms (median)");
    println!(
        "  render the collage (decode, crop, resize, draw, encode): {r:8.1} ms (median), {:.0} KB",
        out_bytes as f64 / 1024.0
    );
    println!(
        "  ratio render / decode: {:.2} (goal ≤ 1.5: {})",
        r / d,
        if r / d <= 1.5 { "met" } else { "NOT met" }
    );
    Ok(ExitCode::SUCCESS)
}
