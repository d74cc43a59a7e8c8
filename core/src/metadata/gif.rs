//! GIF: the logical screen size. GIFs carry no EXIF.

use std::io::{Read, Seek};

use super::source::{Bytes, Source};
use super::{Container, MetaError};

pub(crate) fn read<R: Read + Seek>(src: &mut Source<R>) -> Result<Container, MetaError> {
    let d = src.read_at(6, 4)?;
    let b = Bytes {
        data: &d,
        little_endian: true,
    };
    Ok(Container {
        width: b.u16(0).map(u32::from),
        height: b.u16(2).map(u32::from),
        ..Container::default()
    })
}
