//! What the app makes from photos on the device: AI restyles and recap story frames
//! (classic effects are in `collage.rs`, beside the collage options that use them).

use std::sync::Arc;

use keepsake_core as core;

use crate::analysis::ListenerError;
use crate::collage::{self, CollageImage, ImageFormat, PhotoEffect};
use crate::{instant, ApiError, Keepsake};

/// The style network (`multistyle26.onnx`, set-up fetches it), loaded once and shared.
#[derive(Debug, uniffi::Object)]
pub struct StyleNetwork {
    model: core::restyle::StyleModel,
}

/// One of the network's styles.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StyleInfo {
    pub index: u32,
    pub name: String,
    pub description: String,
}

#[uniffi::export]
impl StyleNetwork {
    /// Loads and checks the network (a wrong file fails here).
    #[uniffi::constructor]
    pub fn load(path: String) -> Result<Arc<StyleNetwork>, ApiError> {
        Ok(Arc::new(StyleNetwork {
            model: core::restyle::StyleModel::load_path(std::path::Path::new(&path))?,
        }))
    }

    /// The 26 styles, in the network's order.
    pub fn styles(&self) -> Vec<StyleInfo> {
        core::restyle::Style::all()
            .map(|s| StyleInfo {
                index: s.index() as u32,
                name: s.name().into(),
                description: s.describe().into(),
            })
            .collect()
    }
}

/// Lets the app stop long work from another thread.
#[derive(Debug, Default, uniffi::Object)]
pub struct CancelSignal {
    token: core::CancelToken,
}

#[uniffi::export]
impl CancelSignal {
    #[uniffi::constructor]
    pub fn new() -> Arc<CancelSignal> {
        Arc::new(CancelSignal::default())
    }

    pub fn cancel(&self) {
        self.token.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

/// Implemented by the app: progress of long work (`done` of `total` steps).
#[uniffi::export(with_foreign)]
pub trait WorkListener: Send + Sync {
    fn on_progress(&self, done: u64, total: u64) -> Result<(), ListenerError>;
}

/// One frame of a recap story: `width` × `height` RGBA, rows packed (stride width × 4),
/// ready for a platform encoder's input surface.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoryFrame {
    pub width: u32,
    pub height: u32,
    pub t_ms: u64,
    pub rgba: Vec<u8>,
}

/// Draws a suggestion's recap story (Ken Burns toward faces, cross-fades, title card),
/// keeping decoded photos between frames: ask frames in time order for a video.
#[derive(uniffi::Object)]
pub struct StoryPlayer {
    player: core::collage::StoryPlayer,
}

impl std::fmt::Debug for StoryPlayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.player.fmt(f)
    }
}

#[uniffi::export]
impl StoryPlayer {
    /// The story's length; a video of it has `duration_ms × fps / 1000` frames.
    pub fn duration_ms(&self) -> u64 {
        self.player.duration_ms()
    }

    /// The picture at `t_ms` (clamped to the story).
    pub fn frame(&self, t_ms: u64) -> Result<StoryFrame, ApiError> {
        let img = self.player.frame(t_ms, &core::CancelToken::new())?;
        Ok(rgba(img, t_ms))
    }

    /// Photos drawn as a blank card so far (their pixels could not be had).
    pub fn failed_assets(&self) -> Vec<i64> {
        self.player.failures().iter().map(|f| f.asset_id).collect()
    }
}

fn rgba(img: core::vision::Rgb, t_ms: u64) -> StoryFrame {
    let mut out = Vec::with_capacity(img.data.len() / 3 * 4);
    for px in img.data.chunks_exact(3) {
        out.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    StoryFrame {
        width: img.width,
        height: img.height,
        t_ms,
        rgba: out,
    }
}

struct Progress<'a> {
    listener: Option<&'a Arc<dyn WorkListener>>,
    cancel: core::CancelToken,
}

impl Progress<'_> {
    fn report(&self, done: u64, total: u64) {
        if let Some(l) = self.listener {
            if l.on_progress(done, total).is_err() {
                log::warn!("work listener failed; stopping");
                self.cancel.cancel();
            }
        }
    }
}

#[uniffi::export]
impl Keepsake {
    /// One photo repainted by the style network: `style` is a style name, an index, or
    /// a blend `name:weight,name:weight`; `strength` 0 (the photo) ..= 1 (the painting);
    /// at `long_side` (the network paints at ≤ 1024 px; larger is scaled up). Faces
    /// stay recognisable. Takes about a second: call it off the main thread; `cancel`
    /// stops it within one network layer. Needs the `Pixels` consent; nothing is stored.
    #[allow(clippy::too_many_arguments)]
    pub fn restyle_photo(
        &self,
        asset_id: String,
        network: Arc<StyleNetwork>,
        style: String,
        strength: f32,
        long_side: u32,
        format: ImageFormat,
        cancel: Option<Arc<CancelSignal>>,
        listener: Option<Arc<dyn WorkListener>>,
    ) -> Result<CollageImage, ApiError> {
        let blend = core::restyle::StyleBlend::parse(&style)?;
        let cancel = cancel.map(|c| c.token.clone()).unwrap_or_default();
        let progress = Progress {
            listener: listener.as_ref(),
            cancel: cancel.clone(),
        };
        Ok(collage::encoded(self.store()?.restyle_photo(
            &asset_id,
            &network.model,
            &blend,
            strength,
            long_side,
            collage::format(format),
            &mut |done, total| progress.report(done, total),
            &cancel,
        )?))
    }

    /// A suggestion's collage repainted by the style network (faces kept recognisable),
    /// e.g. the look a suggestion proposes. Needs the `Suggestions` and `Pixels` consents.
    #[allow(clippy::too_many_arguments)]
    pub fn render_collage_restyled(
        &self,
        suggestion_id: String,
        now_ms: i64,
        options: crate::CollageOptions,
        format: ImageFormat,
        network: Arc<StyleNetwork>,
        style: String,
        strength: f32,
        cancel: Option<Arc<CancelSignal>>,
        listener: Option<Arc<dyn WorkListener>>,
    ) -> Result<CollageImage, ApiError> {
        let store = self.store()?;
        let names = store.source_ids()?;
        let blend = core::restyle::StyleBlend::parse(&style)?;
        let cancel = cancel.map(|c| c.token.clone()).unwrap_or_default();
        let progress = Progress {
            listener: listener.as_ref(),
            cancel: cancel.clone(),
        };
        let render = core::collage::RenderOptions {
            format: collage::format(format),
            effect: options.effect.map(|e| (e.into(), options.effect_strength)),
            ..Default::default()
        };
        let (_, rendered) = store.render_collage_restyled(
            &suggestion_id,
            Some(instant(now_ms)?),
            &collage::options(&options),
            &render,
            &network.model,
            &blend,
            strength,
            &mut |done, total| progress.report(done, total),
            &cancel,
        )?;
        Ok(collage::image(rendered, &names))
    }

    /// A player for a suggestion's recap story at `width` × `height` (4..=3840 even
    /// sides suit encoders), with a classic effect over its photos when given. Needs
    /// the `Suggestions` consent, like collages.
    pub fn story_player(
        &self,
        suggestion_id: String,
        now_ms: i64,
        width: u32,
        height: u32,
        effect: Option<PhotoEffect>,
        effect_strength: f32,
    ) -> Result<Arc<StoryPlayer>, ApiError> {
        let look = effect.map(|e| core::collage::Look::Effect(e.into(), effect_strength));
        let player = self.store()?.story_player(
            &suggestion_id,
            Some(instant(now_ms)?),
            width,
            height,
            look,
        )?;
        Ok(Arc::new(StoryPlayer { player }))
    }

    /// A player whose photos are restyled (once each) by the style network.
    #[allow(clippy::too_many_arguments)]
    pub fn story_player_restyled(
        &self,
        suggestion_id: String,
        now_ms: i64,
        width: u32,
        height: u32,
        network: Arc<StyleNetwork>,
        style: String,
        strength: f32,
    ) -> Result<Arc<StoryPlayer>, ApiError> {
        let look = core::collage::Look::Style(
            network.model.clone(),
            core::restyle::StyleBlend::parse(&style)?,
            strength,
        );
        let player = self.store()?.story_player(
            &suggestion_id,
            Some(instant(now_ms)?),
            width,
            height,
            Some(look),
        )?;
        Ok(Arc::new(StoryPlayer { player }))
    }

    /// One picture of a suggestion's story at `t_ms` (a preview or a poster); for a
    /// video use a [`StoryPlayer`].
    pub fn story_frame(
        &self,
        suggestion_id: String,
        t_ms: u64,
        width: u32,
        height: u32,
    ) -> Result<StoryFrame, ApiError> {
        let img = self
            .store()?
            .story_frame(&suggestion_id, t_ms, width, height)?;
        Ok(rgba(img, t_ms))
    }
}
