//! `keepsake effect` on a real photo: every effect writes an image of the photo's size that
//! differs from the plain photo and is the same byte for byte on a second run; bad requests
//! get clear errors and write nothing.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::path::Path;
use std::process::Command;

use common::TempDir;
use keepsake_core::effects::Effect;
use keepsake_core::vision::decode::{decode_bytes, DecodeOptions, Hint};

fn keepsake(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_keepsake"))
        .args(args)
        .output()
        .unwrap()
}

fn decoded(path: &Path) -> keepsake_core::vision::Rgb {
    let opts = DecodeOptions {
        long_side: 4096,
        ..DecodeOptions::default()
    };
    decode_bytes(&std::fs::read(path).unwrap(), Hint::default(), &opts)
        .unwrap()
        .image
}

#[test]
fn every_effect_through_the_harness() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let tmp = TempDir::new("effects");
    let photo = shared.join("data/faces/dlib_pascal_voc/images/2008_002470.jpg");
    let photo = if photo.is_file() {
        photo
    } else {
        std::fs::read_dir(shared.join("data/faces/dlib_pascal_voc/images"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "jpg"))
            .unwrap()
    };
    let p = photo.to_str().unwrap();
    let listed = keepsake(&["effect", "--list"]);
    assert!(listed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).lines().count(),
        Effect::ALL.len()
    );

    let plain = tmp.join("plain.png");
    let out = keepsake(&[
        "effect",
        p,
        "--effect",
        "warm",
        "--strength",
        "0",
        "--out",
        plain.to_str().unwrap(),
        "--size",
        "400",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = decoded(&plain);
    for e in Effect::ALL {
        let file = tmp.join(&format!("{}.png", e.name()));
        let f = file.to_str().unwrap();
        let run = || {
            keepsake(&[
                "effect",
                p,
                "--effect",
                e.name(),
                "--out",
                f,
                "--size",
                "400",
            ])
        };
        assert!(run().status.success(), "{}", e.name());
        let first = std::fs::read(&file).unwrap();
        assert!(run().status.success());
        assert_eq!(
            first,
            std::fs::read(&file).unwrap(),
            "{}: same bytes twice",
            e.name()
        );
        let img = decoded(&file);
        assert_eq!(
            (img.width, img.height),
            (plain.width, plain.height),
            "{}",
            e.name()
        );
        let diff: u64 = img
            .data
            .iter()
            .zip(&plain.data)
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        let mean = diff as f64 / img.data.len() as f64;
        println!("{}: mean change {mean:.1} levels", e.name());
        assert!(
            mean > 3.0,
            "{} changes the photo visibly: {mean:.1}",
            e.name()
        );
    }

    // Bad requests: clear errors, nothing written.
    let missing = tmp.join("missing.png");
    let m = missing.to_str().unwrap();
    for (args, says) in [
        (
            vec!["effect", p, "--effect", "sepia-ish", "--out", m],
            "effects: warm",
        ),
        (
            vec![
                "effect",
                "/no/such/photo.jpg",
                "--effect",
                "warm",
                "--out",
                m,
            ],
            "cannot read",
        ),
        (
            vec!["effect", p, "--effect", "warm", "--out", "/tmp/x.gif"],
            ".png",
        ),
        (
            vec![
                "effect",
                p,
                "--effect",
                "warm",
                "--out",
                m,
                "--strength",
                "2",
            ],
            "strength",
        ),
    ] {
        let out = keepsake(&args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!missing.exists());
    }
}
