//! Recap videos: a story's frames from the core's [`StoryPlayer`], encoded by
//! `keepsake-video` (AV1 in MP4 or WebM). The frame count is the story's duration × the frame
//! rate, so the video lasts exactly as long as the story (its durations are whole
//! multiples of 100 ms).

use std::path::Path;
use std::time::Instant;

use keepsake_core::collage::StoryPlayer;
use keepsake_core::{CancelToken, Error};
pub use keepsake_video::VideoOptions;

/// What writing took.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Written {
    pub frames: u64,
    pub bytes: u64,
    pub duration_ms: u64,
    /// Time drawing frames and encoding them, seconds.
    pub draw_s: f64,
    pub encode_s: f64,
}

/// Writes `player`'s story to `out` (through `out.part`, so a cancelled or failed run
/// leaves no file). `progress(done, total)` is called per frame.
pub fn write(
    player: &StoryPlayer,
    out: &Path,
    opts: &VideoOptions,
    progress: &mut dyn FnMut(u64, u64),
    cancel: &CancelToken,
) -> Result<Written, Box<dyn std::error::Error>> {
    let container = out
        .extension()
        .and_then(|e| e.to_str())
        .and_then(keepsake_video::Container::from_extension)
        .ok_or("the video file must end in .mp4 or .webm")?;
    let (w, h) = player.size();
    let mut encoder = keepsake_video::Av1Mp4::new(w, h, opts)?;
    let fps = u64::from(opts.fps);
    let frames = (player.duration_ms() * fps).div_ceil(1000);
    let (mut draw_s, mut encode_s) = (0.0, 0.0);
    for i in 0..frames {
        cancel.check()?;
        let t = Instant::now();
        let rgb = player.frame(i * 1000 / fps, cancel)?;
        draw_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        encoder.push(&rgb.data)?;
        encode_s += t.elapsed().as_secs_f64();
        progress(i + 1, frames);
    }
    cancel.check()?;
    let t = Instant::now();
    let file = encoder.finish(container)?;
    encode_s += t.elapsed().as_secs_f64();
    let mut part = out.as_os_str().to_owned();
    part.push(".part");
    std::fs::write(&part, &file)?;
    if cancel.is_cancelled() {
        let _ = std::fs::remove_file(&part);
        return Err(Error::Cancelled.into());
    }
    std::fs::rename(&part, out)?;
    Ok(Written {
        frames,
        bytes: file.len() as u64,
        duration_ms: frames * 1000 / fps,
        draw_s,
        encode_s,
    })
}
