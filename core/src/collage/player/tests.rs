use super::*;
use crate::pixels::FetchError;
use crate::suggest::{Kind, TitlePart};
use crate::vision::decode::{Decoded, Via};
use chrono::NaiveDate;

/// Photo 1: a left-to-right gradient; photo 2: solid blue; photo 3: missing.
struct Fake;

impl CellPixels for Fake {
    fn pixels(&self, id: i64, long_side: u32) -> std::result::Result<Decoded, FetchError> {
        let (w, h) = (long_side.min(400), (long_side.min(400) * 3) / 4);
        let image = match id {
            1 => {
                let mut data = Vec::with_capacity((w * h * 3) as usize);
                for _ in 0..h {
                    for x in 0..w {
                        let v = (x * 255 / (w - 1)) as u8;
                        data.extend_from_slice(&[v, v, v]);
                    }
                }
                Rgb::new(w, h, data).unwrap()
            }
            2 => Rgb::new(w, h, [0, 0, 255].repeat((w * h) as usize)).unwrap(),
            _ => return Err(FetchError::Host(crate::pixels::Unavailable::Gone)),
        };
        Ok(Decoded {
            image,
            original_width: 400,
            original_height: 300,
            via: Via::Host,
        })
    }
}

fn story() -> Story {
    let photo = |id, from: Rect, to: Rect| Frame::Photo {
        asset_id: id,
        duration_ms: 3000,
        from,
        to,
        source_width: 400,
        source_height: 300,
    };
    let day = NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
    let frames = vec![
        Frame::Title {
            title: vec![TitlePart::Label { key: "highlights" }],
            kind: Kind::MonthlyRecap,
            start: day,
            end: day + chrono::Days::new(7),
            photos: 3,
            cover: 1,
            duration_ms: 2000,
        },
        photo(
            1,
            Rect::new(0.0, 0.0, 400.0, 300.0),
            Rect::new(200.0, 150.0, 200.0, 150.0),
        ),
        photo(
            2,
            Rect::new(0.0, 0.0, 400.0, 300.0),
            Rect::new(0.0, 0.0, 400.0, 300.0),
        ),
        photo(
            3,
            Rect::new(0.0, 0.0, 400.0, 300.0),
            Rect::new(0.0, 0.0, 400.0, 300.0),
        ),
    ];
    Story {
        suggestion_id: "monthly_recap:2026-10".into(),
        width: 160,
        height: 120,
        duration_ms: 11_000,
        frames,
    }
}

fn player(look: Option<Look>) -> StoryPlayer {
    StoryPlayer::new(story(), &[], Box::new(Fake), 160, 120, look).unwrap()
}

fn mean(img: &Rgb, c: usize) -> f64 {
    img.data
        .iter()
        .skip(c)
        .step_by(3)
        .map(|v| f64::from(*v))
        .sum::<f64>()
        / f64::from(img.width * img.height)
}

#[test]
fn frames_follow_the_story() {
    let p = player(None);
    let cancel = CancelToken::new();
    assert_eq!(p.duration_ms(), p.story().duration_ms);
    // The title card: dark cover with white text.
    let title = p.frame(500, &cancel).unwrap();
    assert_eq!((title.width, title.height), (160, 120));
    let white = title
        .data
        .chunks(3)
        .filter(|px| px.iter().all(|v| *v > 200))
        .count();
    assert!(white > 50, "{white} text pixels");
    // Ken Burns: the photo zooms into its bright right half.
    let start = p.frame(2000, &cancel).unwrap();
    let end = p.frame(4300, &cancel).unwrap();
    assert!(
        mean(&end, 0) > mean(&start, 0) + 40.0,
        "{} {}",
        mean(&start, 0),
        mean(&end, 0)
    );
    // Cross-fade: near the end of photo 1, some blue of photo 2 shows.
    let fading = p.frame(4850, &cancel).unwrap();
    assert!(mean(&fading, 2) > mean(&fading, 0) + 5.0);
    let blue = p.frame(6500, &cancel).unwrap();
    assert!(mean(&blue, 2) > 250.0 && mean(&blue, 0) < 5.0);
    // The missing photo: a neutral card, reported once.
    let missing = p.frame(9500, &cancel).unwrap();
    assert!(missing.data.iter().all(|v| (40..=44).contains(v)));
    assert_eq!(p.failures().len(), 1);
    assert_eq!(p.failures()[0].kind, "gone");
    // Past the end: the last picture; the same instant gives the same bytes.
    assert!(p.frame(60_000, &cancel).unwrap().data == missing.data);
    assert!(player(None).frame(4300, &cancel).unwrap().data == end.data);
}

#[test]
fn looks_apply_to_photos_not_cards_and_bad_requests_fail() {
    let mono = player(Some(Look::Effect(Effect::Mono, 1.0)));
    let cancel = CancelToken::new();
    let blue = mono.frame(6500, &cancel).unwrap();
    assert!(blue
        .data
        .chunks(3)
        .all(|px| px[0] == px[1] && px[1] == px[2]));
    // The title card's background is the cover in the look; its text stays white.
    let title = mono.frame(500, &cancel).unwrap();
    assert!(title
        .data
        .chunks(3)
        .all(|px| px[0] == px[1] && px[1] == px[2]));
    assert!(title.data.chunks(3).any(|px| px[0] == 255));
    for (w, h) in [(8, 100), (100, 0), (4000, 100)] {
        assert!(StoryPlayer::new(story(), &[], Box::new(Fake), w, h, None).is_err());
    }
    assert!(StoryPlayer::new(
        story(),
        &[],
        Box::new(Fake),
        64,
        64,
        Some(Look::Effect(Effect::Mono, 2.0))
    )
    .is_err());
    cancel.cancel();
    assert!(matches!(
        player(None).frame(6500, &cancel),
        Err(Error::Cancelled)
    ));
}
