//! A minimal MP4 (ISO BMFF) writer for one AV1 video track: `ftyp`, `moov` first (so a
//! player starts before it has the whole file), then one `mdat` holding every sample in
//! one chunk. Follows the AV1-in-ISOBMFF binding: sample entry `av01` with an `av1C`
//! record carrying the sequence header OBU, samples without temporal delimiters.

/// One encoded frame.
#[derive(Debug, Clone)]
pub struct Sample {
    pub data: Vec<u8>,
    pub keyframe: bool,
}

/// The stream's parameters.
#[derive(Debug, Clone)]
pub struct Track {
    pub width: u16,
    pub height: u16,
    /// Frames per second; every sample lasts one tick of this timescale.
    pub fps: u32,
    /// The 4-byte AV1CodecConfigurationRecord header (marker, profile, level, …).
    pub av1c: Vec<u8>,
    /// The sequence header OBU, appended to `av1C` as its config OBU.
    pub sequence_header: Vec<u8>,
}

/// The whole file.
pub fn write(track: &Track, samples: &[Sample]) -> Vec<u8> {
    let ftyp = make_box(b"ftyp", &{
        let mut b = Vec::new();
        b.extend_from_slice(b"isom");
        b.extend_from_slice(&0x200u32.to_be_bytes());
        for brand in [b"isom", b"iso6", b"av01", b"mp41"] {
            b.extend_from_slice(brand);
        }
        b
    });
    // The chunk offset depends on moov's size, which does not depend on the offset's
    // value: build it once to measure, then with the real offset.
    let probe = moov(track, samples, 0);
    let offset = (ftyp.len() + probe.len() + 8) as u32;
    let moov = moov(track, samples, offset);
    let payload: usize = samples.iter().map(|s| s.data.len()).sum();
    let mut out = Vec::with_capacity(ftyp.len() + moov.len() + 8 + payload);
    out.extend_from_slice(&ftyp);
    out.extend_from_slice(&moov);
    out.extend_from_slice(&((payload + 8) as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    for s in samples {
        out.extend_from_slice(&s.data);
    }
    out
}

fn make_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(body.len() + 8);
    b.extend_from_slice(&((body.len() + 8) as u32).to_be_bytes());
    b.extend_from_slice(kind);
    b.extend_from_slice(body);
    b
}

/// A full box: version and flags first.
fn full_box(kind: &[u8; 4], version: u8, flags: u32, body: &[u8]) -> Vec<u8> {
    let mut b = vec![version];
    b.extend_from_slice(&flags.to_be_bytes()[1..]);
    b.extend_from_slice(body);
    make_box(kind, &b)
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

fn matrix() -> Vec<u8> {
    MATRIX.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn moov(track: &Track, samples: &[Sample], chunk_offset: u32) -> Vec<u8> {
    let n = samples.len() as u32;
    let duration = n; // in frames: the timescale is the frame rate
    let mut mvhd = Vec::new();
    mvhd.extend_from_slice(&[0; 8]); // creation, modification: unknown (deterministic)
    mvhd.extend_from_slice(&track.fps.to_be_bytes());
    mvhd.extend_from_slice(&duration.to_be_bytes());
    mvhd.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend_from_slice(&0x0100u16.to_be_bytes()); // volume 1.0
    mvhd.extend_from_slice(&[0; 10]);
    mvhd.extend_from_slice(&matrix());
    mvhd.extend_from_slice(&[0; 24]);
    mvhd.extend_from_slice(&2u32.to_be_bytes()); // next track id

    let mut tkhd = Vec::new();
    tkhd.extend_from_slice(&[0; 8]);
    tkhd.extend_from_slice(&1u32.to_be_bytes()); // track id
    tkhd.extend_from_slice(&[0; 4]);
    tkhd.extend_from_slice(&duration.to_be_bytes());
    tkhd.extend_from_slice(&[0; 8]);
    tkhd.extend_from_slice(&[0; 4]); // layer, alternate group
    tkhd.extend_from_slice(&[0; 4]); // volume 0 (video), reserved
    tkhd.extend_from_slice(&matrix());
    tkhd.extend_from_slice(&(u32::from(track.width) << 16).to_be_bytes());
    tkhd.extend_from_slice(&(u32::from(track.height) << 16).to_be_bytes());

    let mut mdhd = Vec::new();
    mdhd.extend_from_slice(&[0; 8]);
    mdhd.extend_from_slice(&track.fps.to_be_bytes());
    mdhd.extend_from_slice(&duration.to_be_bytes());
    mdhd.extend_from_slice(&0x55c4u16.to_be_bytes()); // language "und"
    mdhd.extend_from_slice(&[0; 2]);

    let mut hdlr = vec![0; 4];
    hdlr.extend_from_slice(b"vide");
    hdlr.extend_from_slice(&[0; 12]);
    hdlr.extend_from_slice(b"Keepsake recap\0");

    let dinf = make_box(
        b"dinf",
        &full_box(b"dref", 0, 0, &{
            let mut b = 1u32.to_be_bytes().to_vec();
            b.extend_from_slice(&full_box(b"url ", 0, 1, &[]));
            b
        }),
    );

    let mut entry = vec![0; 6];
    entry.extend_from_slice(&1u16.to_be_bytes()); // data reference index
    entry.extend_from_slice(&[0; 16]);
    entry.extend_from_slice(&track.width.to_be_bytes());
    entry.extend_from_slice(&track.height.to_be_bytes());
    entry.extend_from_slice(&0x0048_0000u32.to_be_bytes()); // 72 dpi
    entry.extend_from_slice(&0x0048_0000u32.to_be_bytes());
    entry.extend_from_slice(&[0; 4]);
    entry.extend_from_slice(&1u16.to_be_bytes()); // frame count
    let mut name = [0u8; 32];
    name[0] = 8;
    name[1..9].copy_from_slice(b"Keepsake");
    entry.extend_from_slice(&name);
    entry.extend_from_slice(&0x0018u16.to_be_bytes()); // depth
    entry.extend_from_slice(&(-1i16).to_be_bytes());
    entry.extend_from_slice(&make_box(
        b"av1C",
        &cat(&[track.av1c.clone(), track.sequence_header.clone()]),
    ));
    let stsd = full_box(
        b"stsd",
        0,
        0,
        &cat(&[1u32.to_be_bytes().to_vec(), make_box(b"av01", &entry)]),
    );

    let stts = full_box(
        b"stts",
        0,
        0,
        &cat(&[
            1u32.to_be_bytes().to_vec(),
            n.to_be_bytes().to_vec(),
            1u32.to_be_bytes().to_vec(),
        ]),
    );
    let keys: Vec<u32> = samples
        .iter()
        .enumerate()
        .filter(|(_, s)| s.keyframe)
        .map(|(i, _)| i as u32 + 1)
        .collect();
    let stss = full_box(
        b"stss",
        0,
        0,
        &cat(&[
            (keys.len() as u32).to_be_bytes().to_vec(),
            keys.iter().flat_map(|k| k.to_be_bytes()).collect(),
        ]),
    );
    let stsc = full_box(
        b"stsc",
        0,
        0,
        &cat(&[
            1u32.to_be_bytes().to_vec(),
            1u32.to_be_bytes().to_vec(),
            n.to_be_bytes().to_vec(),
            1u32.to_be_bytes().to_vec(),
        ]),
    );
    let stsz = full_box(
        b"stsz",
        0,
        0,
        &cat(&[
            0u32.to_be_bytes().to_vec(),
            n.to_be_bytes().to_vec(),
            samples
                .iter()
                .flat_map(|s| (s.data.len() as u32).to_be_bytes())
                .collect(),
        ]),
    );
    let stco = full_box(
        b"stco",
        0,
        0,
        &cat(&[
            1u32.to_be_bytes().to_vec(),
            chunk_offset.to_be_bytes().to_vec(),
        ]),
    );
    let stbl = make_box(b"stbl", &cat(&[stsd, stts, stss, stsc, stsz, stco]));
    let vmhd = full_box(b"vmhd", 0, 1, &[0; 8]);
    let minf = make_box(b"minf", &cat(&[vmhd, dinf, stbl]));
    let mdia = make_box(
        b"mdia",
        &cat(&[
            full_box(b"mdhd", 0, 0, &mdhd),
            full_box(b"hdlr", 0, 0, &hdlr),
            minf,
        ]),
    );
    let trak = make_box(b"trak", &cat(&[full_box(b"tkhd", 0, 3, &tkhd), mdia]));
    make_box(b"moov", &cat(&[full_box(b"mvhd", 0, 0, &mvhd), trak]))
}

/// OBUs of a temporal unit: (type, whole OBU bytes). Stops at the first malformed one.
pub fn obus(data: &[u8]) -> Vec<(u8, &[u8])> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let header = data[at];
        let kind = (header >> 3) & 0x0f;
        let ext = usize::from(header & 0x04 != 0);
        let mut p = at + 1 + ext;
        if header & 0x02 == 0 {
            // No size field: the OBU runs to the end.
            out.push((kind, &data[at..]));
            break;
        }
        let (mut size, mut shift) = (0usize, 0);
        loop {
            let Some(&b) = data.get(p) else {
                return out;
            };
            p += 1;
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 || shift > 56 {
                break;
            }
        }
        let Some(end) = p.checked_add(size).filter(|e| *e <= data.len()) else {
            return out;
        };
        out.push((kind, &data[at..end]));
        at = end;
    }
    out
}

pub const OBU_SEQUENCE_HEADER: u8 = 1;
pub const OBU_TEMPORAL_DELIMITER: u8 = 2;

/// A temporal unit as an MP4 sample: without its temporal delimiter.
pub fn sample_data(packet: &[u8]) -> Vec<u8> {
    obus(packet)
        .into_iter()
        .filter(|(k, _)| *k != OBU_TEMPORAL_DELIMITER)
        .flat_map(|(_, bytes)| bytes.to_vec())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obus_are_split_and_delimiters_dropped() {
        // TD (type 2, size 0), sequence header (type 1, 3 bytes), frame (type 6, 2 bytes).
        let tu = [0x12, 0x00, 0x0a, 0x03, 1, 2, 3, 0x32, 0x02, 9, 9];
        let parts = obus(&tu);
        assert_eq!(parts.iter().map(|p| p.0).collect::<Vec<_>>(), vec![2, 1, 6]);
        assert_eq!(
            sample_data(&tu),
            vec![0x0a, 0x03, 1, 2, 3, 0x32, 0x02, 9, 9]
        );
        // A size running past the end stops the split without a panic.
        assert_eq!(obus(&[0x0a, 0x09, 1]).len(), 0);
    }

    #[test]
    fn boxes_nest_and_offsets_point_at_the_samples() {
        let track = Track {
            width: 64,
            height: 48,
            fps: 30,
            av1c: vec![0x81, 0, 0x0c, 0],
            sequence_header: vec![0x0a, 0x00],
        };
        let samples = vec![
            Sample {
                data: vec![7; 5],
                keyframe: true,
            },
            Sample {
                data: vec![8; 3],
                keyframe: false,
            },
        ];
        let file = write(&track, &samples);
        assert_eq!(&file[4..8], b"ftyp");
        let ftyp_len = u32::from_be_bytes(file[0..4].try_into().unwrap()) as usize;
        assert_eq!(&file[ftyp_len + 4..ftyp_len + 8], b"moov");
        let moov_len =
            u32::from_be_bytes(file[ftyp_len..ftyp_len + 4].try_into().unwrap()) as usize;
        let mdat = ftyp_len + moov_len;
        assert_eq!(&file[mdat + 4..mdat + 8], b"mdat");
        assert_eq!(&file[mdat + 8..], &[7, 7, 7, 7, 7, 8, 8, 8]);
        let stco = file.windows(4).position(|w| w == b"stco").unwrap();
        let offset = u32::from_be_bytes(file[stco + 12..stco + 16].try_into().unwrap());
        assert_eq!(offset as usize, mdat + 8);
    }
}
