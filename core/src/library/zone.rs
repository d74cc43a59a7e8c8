//! The device zone local times were read in: when the device moves to another zone,
//! times without an offset are read again in the new one.

use crate::clock::DeviceZone;
use crate::index::{assets, meta, Db};
use crate::Result;

use super::dates;

const ZONE_KEY: &str = "device_zone";

/// Re-reads zone-dependent capture times if the zone changed since the last open.
pub(crate) fn apply(db: &Db, zone: DeviceZone) -> Result<()> {
    let previous = db.read(|c| meta::get(c, ZONE_KEY))?;
    if previous.as_deref() == Some(zone.name()) {
        return Ok(());
    }
    let rows = db.read(assets::zone_dependent)?;
    db.write(|tx| {
        for (id, local) in &rows {
            assets::set_instant(tx, *id, dates::local_to_utc(*local, zone))?;
        }
        meta::set(tx, ZONE_KEY, zone.name())
    })?;
    if previous.is_some() {
        log::info!(
            "device zone changed: {} local-time assets re-read",
            rows.len()
        );
    }
    Ok(())
}
