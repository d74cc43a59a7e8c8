//! Recap videos end to end: `keepsake video` on a generated camera roll writes an AV1 MP4
//! that an independent decoder (ffprobe, Debian's ffmpeg with dav1d) decodes to exactly
//! the story's frame count and duration; the picture moves; a cancel leaves no file; bad
//! requests are refused before any work.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{harness, indexed, run, shared_dir, stdout_of, TempDir, NOW};

/// Decodes every frame: (frames, duration s, codec).
fn probe(file: &Path) -> Option<(u64, f64, String)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_name,nb_read_frames:format=duration",
        ])
        .args(["-of", "json"])
        .arg(file)
        .output();
    let Ok(out) = out else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs ffmpeg (.ci/run)"
        );
        println!("SKIPPED (decode part): ffprobe not installed (Debian package ffmpeg)");
        return None;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stream = &v["streams"][0];
    Some((
        stream["nb_read_frames"].as_str().unwrap().parse().unwrap(),
        v["format"]["duration"].as_str().unwrap().parse().unwrap(),
        stream["codec_name"].as_str().unwrap().to_string(),
    ))
}

/// One decoded frame at `t` seconds as raw RGB, `w` wide.
fn frame_at(file: &Path, t: f64) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &format!("{t}")])
        .arg("-i")
        .arg(file)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn a_story_becomes_a_video_as_long_as_the_story() {
    let Some(shared) = shared_dir() else { return };
    let tmp = TempDir::new("video");
    let (db, _, ids) = indexed(&tmp, &shared);
    let id = &ids[0];
    let mut story = harness(&db, NOW);
    story.args(["story", "--suggestion", id]);
    let story: serde_json::Value = serde_json::from_str(stdout_of(story).trim()).unwrap();
    let duration_ms = story["duration_ms"].as_u64().unwrap();

    let out = tmp.join("recap.mp4");
    let mut c = harness(&db, NOW);
    c.args([
        "video",
        "--suggestion",
        id,
        "--size",
        "144",
        "--fps",
        "10",
        "--effect",
        "film",
    ])
    .arg("--out")
    .arg(&out);
    let (ok, said, err) = run(c);
    assert!(ok, "{said}{err}");
    println!("{said}");
    assert!(err.contains("video: 100 %"), "progress is printed: {err}");
    let Some((frames, seconds, codec)) = probe(&out) else {
        return;
    };
    assert_eq!(codec, "av1");
    assert_eq!(
        frames,
        duration_ms * 10 / 1000,
        "one frame per 100 ms of story"
    );
    assert!(
        (seconds * 1000.0 - duration_ms as f64).abs() < 1.0,
        "{seconds} s vs {duration_ms} ms"
    );
    // The picture changes: the title card, then photos.
    let (a, b) = (frame_at(&out, 0.5), frame_at(&out, seconds * 0.6));
    assert_eq!(a.len(), 144 * 256 * 3);
    let diff = a
        .iter()
        .zip(&b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum::<u64>() as f64
        / a.len() as f64;
    assert!(diff > 10.0, "frames differ by only {diff:.1}");

    // The same story in WebM: the same frames and length.
    let webm = tmp.join("recap.webm");
    let mut c = harness(&db, NOW);
    c.args(["video", "--suggestion", id, "--size", "144", "--fps", "10"])
        .arg("--out")
        .arg(&webm);
    let (ok, said, err) = run(c);
    assert!(ok, "{said}{err}");
    let (frames_webm, seconds_webm, codec_webm) = probe(&webm).unwrap();
    assert_eq!((frames_webm, codec_webm.as_str()), (frames, "av1"));
    assert!(
        (seconds_webm * 1000.0 - duration_ms as f64).abs() < 1.0,
        "{seconds_webm} s"
    );
}

#[test]
fn a_cancel_leaves_no_file_and_bad_requests_are_refused() {
    let Some(shared) = shared_dir() else { return };
    let tmp = TempDir::new("video-cancel");
    let (db, _, ids) = indexed(&tmp, &shared);
    let out = tmp.join("recap.mp4");
    {
        let store = common::open(&db, "UTC", NOW);
        let player = store
            .story_player(&ids[0], Some(common::utc(NOW)), 144, 256, None)
            .unwrap();
        let cancel = keepsake_core::CancelToken::new();
        let result = keepsake_harness::video::write(
            &player,
            &out,
            &keepsake_harness::video::VideoOptions {
                fps: 10,
                ..Default::default()
            },
            &mut |done, _| {
                if done == 5 {
                    cancel.cancel();
                }
            },
            &cancel,
        );
        assert!(result.is_err());
        assert!(!out.exists() && !tmp.join("recap.mp4.part").exists());
    }
    for (args, says) in [
        (vec!["--out", "x.avi"], "must end in .mp4 or .webm"),
        (vec!["--out", "x.mp4", "--size", "145"], "--size"),
        (vec!["--out", "x.mp4", "--effect", "sepia"], "no effect"),
        (
            vec!["--out", "x.mp4", "--effect", "mono", "--strength", "3"],
            "strength",
        ),
        (
            vec!["--out", "x.mp4", "--style", "van-gogh"],
            "unknown style",
        ),
    ] {
        let mut c = harness(&db, NOW);
        c.args(["video", "--suggestion", &ids[0]]).args(&args);
        let (ok, _, err) = run(c);
        assert!(!ok && err.contains(says), "{args:?}: {err}");
    }
    let mut c = harness(&db, NOW);
    c.args([
        "video",
        "--suggestion",
        "trip_highlights:1999-01-01",
        "--out",
    ])
    .arg(tmp.join("none.mp4"));
    let (ok, _, err) = run(c);
    assert!(!ok && err.contains("not found"), "{err}");
    // Without consent nothing is drawn.
    let mut revoke = harness(&db, NOW);
    revoke.args(["consent", "revoke", "suggestions"]);
    stdout_of(revoke);
    let mut c = harness(&db, NOW);
    c.args(["video", "--suggestion", &ids[0], "--out"])
        .arg(&out);
    let (ok, _, err) = run(c);
    assert!(!ok && err.contains("consent"), "{err}");
    assert!(!out.exists());
}
