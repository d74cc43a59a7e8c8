//! The harness's video writer: RGB frames encoded as AV1 (a royalty-free codec; the
//! pure-Rust encoder rav1e) into an MP4 or WebM file Chromium plays. A crate of its own
//! so the encoder's generic code is compiled optimised (see the workspace's dev profile).

pub mod mp4;
pub mod webm;

/// The file around the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Mp4,
    Webm,
}

impl Container {
    /// By file extension: `mp4` or `webm`.
    pub fn from_extension(ext: &str) -> Option<Container> {
        match ext.to_ascii_lowercase().as_str() {
            "mp4" => Some(Container::Mp4),
            "webm" => Some(Container::Webm),
            _ => None,
        }
    }
}

use rav1e::prelude::*;

/// How to encode.
#[derive(Debug, Clone, Copy)]
pub struct VideoOptions {
    pub fps: u32,
    /// rav1e speed preset 0 (slowest, smallest) ..= 10 (fastest).
    pub speed: u8,
    /// Quantizer 0..=255 (lower: better and larger).
    pub quantizer: usize,
    /// Encoder threads.
    pub threads: usize,
}

impl Default for VideoOptions {
    fn default() -> Self {
        VideoOptions {
            fps: 30,
            speed: 10,
            quantizer: 100,
            threads: 2,
        }
    }
}

/// An AV1 stream being encoded; [`Av1Mp4::finish`] returns the file.
pub struct Av1Mp4 {
    ctx: Context<u8>,
    width: u16,
    height: u16,
    fps: u32,
    av1c: Vec<u8>,
    sequence_header: Vec<u8>,
    samples: Vec<mp4::Sample>,
    sent: u64,
}

impl std::fmt::Debug for Av1Mp4 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Av1Mp4")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl Av1Mp4 {
    /// An encoder for `width` × `height` frames (even sides: 4:2:0 chroma).
    pub fn new(width: u32, height: u32, opts: &VideoOptions) -> Result<Av1Mp4, String> {
        if !width.is_multiple_of(2) || !height.is_multiple_of(2) || width < 16 || height < 16 {
            return Err("video frames need even sides of at least 16 (4:2:0 chroma)".into());
        }
        if !(1..=60).contains(&opts.fps) {
            return Err("frame rate must be 1..=60".into());
        }
        let (w16, h16) = (
            u16::try_from(width).map_err(|_| "frame too wide")?,
            u16::try_from(height).map_err(|_| "frame too tall")?,
        );
        let mut enc = EncoderConfig::with_speed_preset(opts.speed.min(10));
        enc.width = width as usize;
        enc.height = height as usize;
        enc.time_base = Rational::new(1, u64::from(opts.fps));
        enc.bit_depth = 8;
        enc.chroma_sampling = ChromaSampling::Cs420;
        enc.pixel_range = PixelRange::Limited;
        enc.color_description = Some(ColorDescription {
            color_primaries: ColorPrimaries::BT709,
            transfer_characteristics: TransferCharacteristics::BT709,
            matrix_coefficients: MatrixCoefficients::BT709,
        });
        enc.quantizer = opts.quantizer.min(255);
        // A keyframe at least every 2 s, so a player can seek; frames come out in order.
        enc.max_key_frame_interval = u64::from(opts.fps) * 2;
        enc.low_latency = true;
        // rav1e runs tiles in parallel: one per thread.
        enc.tiles = opts.threads.max(1);
        let ctx: Context<u8> = Config::new()
            .with_encoder_config(enc)
            .with_threads(opts.threads.max(1))
            .new_context()
            .map_err(|e| format!("encoder configuration: {e}"))?;
        Ok(Av1Mp4 {
            av1c: ctx.container_sequence_header(),
            ctx,
            width: w16,
            height: h16,
            fps: opts.fps,
            sequence_header: Vec::new(),
            samples: Vec::new(),
            sent: 0,
        })
    }

    /// Encodes one frame of packed RGB (`width × height × 3` bytes).
    pub fn push(&mut self, rgb: &[u8]) -> Result<(), String> {
        let (w, h) = (usize::from(self.width), usize::from(self.height));
        if rgb.len() != w * h * 3 {
            return Err(format!("frame has {} bytes, not {}", rgb.len(), w * h * 3));
        }
        let mut frame = self.ctx.new_frame();
        to_yuv420(rgb, w, h, &mut frame);
        self.ctx
            .send_frame(frame)
            .map_err(|e| format!("encoder: {e}"))?;
        self.sent += 1;
        self.drain()?;
        Ok(())
    }

    /// Frames pushed so far.
    pub fn frames(&self) -> u64 {
        self.sent
    }

    /// Ends the stream and returns the file.
    pub fn finish(mut self, container: Container) -> Result<Vec<u8>, String> {
        self.ctx.flush();
        while !self.drain()? {}
        if self.samples.len() as u64 != self.sent {
            return Err(format!(
                "encoder returned {} of {} frames",
                self.samples.len(),
                self.sent
            ));
        }
        let track = mp4::Track {
            width: self.width,
            height: self.height,
            fps: self.fps,
            av1c: self.av1c,
            sequence_header: self.sequence_header,
        };
        Ok(match container {
            Container::Mp4 => mp4::write(&track, &self.samples),
            Container::Webm => webm::write(&track, &self.samples),
        })
    }

    /// Takes what the encoder has ready; `true` once the stream is complete.
    fn drain(&mut self) -> Result<bool, String> {
        loop {
            match self.ctx.receive_packet() {
                Ok(p) => {
                    if self.sequence_header.is_empty() {
                        if let Some((_, obu)) = mp4::obus(&p.data)
                            .into_iter()
                            .find(|(k, _)| *k == mp4::OBU_SEQUENCE_HEADER)
                        {
                            self.sequence_header = obu.to_vec();
                        }
                    }
                    self.samples.push(mp4::Sample {
                        data: mp4::sample_data(&p.data),
                        keyframe: p.frame_type == FrameType::KEY,
                    });
                }
                Err(EncoderStatus::Encoded) => continue,
                Err(EncoderStatus::NeedMoreData) => return Ok(false),
                Err(EncoderStatus::LimitReached) => return Ok(true),
                Err(e) => return Err(format!("encoder: {e}")),
            }
        }
    }
}

/// RGB → Y'CbCr 4:2:0, BT.709 limited range; chroma is the mean of each 2×2 block.
fn to_yuv420(rgb: &[u8], w: usize, h: usize, frame: &mut Frame<u8>) {
    let mut y_plane = vec![0u8; w * h];
    for (y, px) in y_plane.iter_mut().zip(rgb.chunks_exact(3)) {
        let (r, g, b) = (f32::from(px[0]), f32::from(px[1]), f32::from(px[2]));
        *y = (16.0 + 219.0 * (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255.0).round() as u8;
    }
    let (cw, ch) = (w / 2, h / 2);
    let (mut u_plane, mut v_plane) = (vec![0u8; cw * ch], vec![0u8; cw * ch]);
    for cy in 0..ch {
        for cx in 0..cw {
            let (mut r, mut g, mut b) = (0.0, 0.0, 0.0);
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let at = ((cy * 2 + dy) * w + cx * 2 + dx) * 3;
                r += f32::from(rgb[at]) / 4.0;
                g += f32::from(rgb[at + 1]) / 4.0;
                b += f32::from(rgb[at + 2]) / 4.0;
            }
            let cb = 128.0 + 224.0 * (-0.1146 * r - 0.3854 * g + 0.5 * b) / 255.0;
            let cr = 128.0 + 224.0 * (0.5 * r - 0.4542 * g - 0.0458 * b) / 255.0;
            u_plane[cy * cw + cx] = cb.round().clamp(16.0, 240.0) as u8;
            v_plane[cy * cw + cx] = cr.round().clamp(16.0, 240.0) as u8;
        }
    }
    frame.planes[0].copy_from_raw_u8(&y_plane, w, 1);
    frame.planes[1].copy_from_raw_u8(&u_plane, cw, 1);
    frame.planes[2].copy_from_raw_u8(&v_plane, cw, 1);
}
