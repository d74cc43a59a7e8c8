//! A minimal WebM (Matroska) writer for one AV1 video track: the EBML header, a segment
//! with its info (millisecond timestamps, the duration), the track (`V_AV1`, the `av1C`
//! record as codec private data) and one cluster per keyframe (so every relative block
//! time fits its 16 bits), each frame a SimpleBlock.

use crate::mp4::{Sample, Track};

/// The whole file.
pub fn write(track: &Track, samples: &[Sample]) -> Vec<u8> {
    let fps = u64::from(track.fps.max(1));
    let at_ms = |i: usize| i as u64 * 1000 / fps;
    let header = element(
        &[0x1A, 0x45, 0xDF, 0xA3],
        &cat(&[
            uint(&[0x42, 0x86], 1),
            uint(&[0x42, 0xF7], 1),
            uint(&[0x42, 0xF2], 4),
            uint(&[0x42, 0xF3], 8),
            element(&[0x42, 0x82], b"webm"),
            uint(&[0x42, 0x87], 4),
            uint(&[0x42, 0x85], 2),
        ]),
    );
    let duration_ms = samples.len() as f64 * 1000.0 / fps as f64;
    let info = element(
        &[0x15, 0x49, 0xA9, 0x66],
        &cat(&[
            uint(&[0x2A, 0xD7, 0xB1], 1_000_000),
            element(&[0x44, 0x89], &duration_ms.to_be_bytes()),
            element(&[0x4D, 0x80], b"Keepsake"),
            element(&[0x57, 0x41], b"Keepsake"),
        ]),
    );
    let av1c = cat(&[track.av1c.clone(), track.sequence_header.clone()]);
    let tracks = element(
        &[0x16, 0x54, 0xAE, 0x6B],
        &element(
            &[0xAE],
            &cat(&[
                uint(&[0xD7], 1),
                uint(&[0x73, 0xC5], 1),
                uint(&[0x83], 1),
                uint(&[0x9C], 0),
                element(&[0x86], b"V_AV1"),
                element(&[0x63, 0xA2], &av1c),
                element(
                    &[0xE0],
                    &cat(&[
                        uint(&[0xB0], u64::from(track.width)),
                        uint(&[0xBA], u64::from(track.height)),
                    ]),
                ),
            ]),
        ),
    );
    let mut clusters = Vec::new();
    let mut i = 0;
    while i < samples.len() {
        // A cluster runs to the next keyframe (at most 30 s, within the i16 offsets).
        let start = at_ms(i);
        let mut blocks = uint(&[0xE7], start);
        let mut j = i;
        while j < samples.len() && (j == i || !samples[j].keyframe) && at_ms(j) - start <= 30_000 {
            let offset = (at_ms(j) - start) as i16;
            let mut block = vec![0x81];
            block.extend_from_slice(&offset.to_be_bytes());
            block.push(if samples[j].keyframe { 0x80 } else { 0x00 });
            block.extend_from_slice(&samples[j].data);
            blocks.extend_from_slice(&element(&[0xA3], &block));
            j += 1;
        }
        clusters.extend_from_slice(&element(&[0x1F, 0x43, 0xB6, 0x75], &blocks));
        i = j;
    }
    let segment = element(&[0x18, 0x53, 0x80, 0x67], &cat(&[info, tracks, clusters]));
    cat(&[header, segment])
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

/// An element: its id, its size as an EBML variable-length integer, its body.
fn element(id: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = id.to_vec();
    out.extend_from_slice(&size(body.len() as u64));
    out.extend_from_slice(body);
    out
}

/// The shortest EBML size field for `n` (all-ones values are reserved for "unknown").
fn size(n: u64) -> Vec<u8> {
    let len = (1..=8u32).find(|l| n < (1u64 << (7 * l)) - 1).unwrap_or(8);
    let marked = n | (1u64 << (7 * len));
    marked.to_be_bytes()[8 - len as usize..].to_vec()
}

/// An unsigned integer element, in as few bytes as it needs.
fn uint(id: &[u8], v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take(7).take_while(|b| **b == 0).count();
    element(id, &bytes[skip..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_integers_are_ebml() {
        assert_eq!(size(0), vec![0x80]);
        assert_eq!(size(126), vec![0xFE]);
        assert_eq!(size(127), vec![0x40, 0x7F]);
        assert_eq!(size(300), vec![0x41, 0x2C]);
        assert_eq!(uint(&[0xD7], 1), vec![0xD7, 0x81, 0x01]);
        assert_eq!(uint(&[0x9C], 0), vec![0x9C, 0x81, 0x00]);
        assert_eq!(uint(&[0xB0], 1280), vec![0xB0, 0x82, 0x05, 0x00]);
    }

    #[test]
    fn a_cluster_per_keyframe_and_every_frame_a_block() {
        let track = Track {
            width: 64,
            height: 48,
            fps: 10,
            av1c: vec![0x81, 0, 0x0c, 0],
            sequence_header: vec![0x0a, 0x00],
        };
        let samples: Vec<Sample> = (0..25)
            .map(|i| Sample {
                data: vec![i as u8; 3],
                keyframe: i % 10 == 0,
            })
            .collect();
        let file = write(&track, &samples);
        assert!(file.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]));
        let count = |pat: &[u8]| file.windows(pat.len()).filter(|w| *w == pat).count();
        assert_eq!(count(&[0x1F, 0x43, 0xB6, 0x75]), 3, "clusters");
        // SimpleBlock header: track 1, offset, flags; the 3-byte frames follow.
        assert_eq!(count(&[0xA3, 0x87, 0x81]), 25, "blocks");
        assert_eq!(count(b"V_AV1"), 1);
    }
}
