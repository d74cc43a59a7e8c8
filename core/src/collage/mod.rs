//! Collages and recap stories, made on the device: a layout description apps can draw
//! themselves ([`layout`]), face-aware crops ([`crop`]), a renderer that draws a layout
//! into a JPEG or PNG ([`render`]), and recap stories for apps to animate ([`story`]).

pub mod crop;
mod font;
pub mod layout;
pub mod player;
pub mod render;
pub(crate) mod store;
pub mod story;

pub use crop::{face_aware_crop, Crop, Rect};
pub use layout::{layout, Cell, Layout, LayoutOptions, LayoutPhoto, PixelRect, Shape, Template};
pub use player::{Look, StoryPlayer, CROSSFADE_MS};
pub use render::{
    canvas_faces, encode, render, render_styled, CellFailure, CellPixels, CollageStyle,
    OutputFormat, RenderOptions, Rendered,
};
pub use story::{story, Frame, Story, StoryOptions};
