//! Indexing: `scan`, `sync`, `window`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Scan {
            dir,
            json,
            days,
            hidden,
        } => {
            let store = open(args)?;
            let options = ScanOptions {
                include_hidden: *hidden,
                ..ScanOptions::default()
            };
            let bar = ProgressBar::new("scanning");
            let started = Instant::now();
            let report = store.scan_folder(
                dir,
                options,
                &|p: Progress| bar.update(p),
                &CancelToken::new(),
            )?;
            bar.finish();
            let elapsed = started.elapsed();
            let assets = store.assets()?;
            let window = store.recent_window(*days)?;
            let mut out = std::io::stdout().lock();
            if *json {
                for a in &assets {
                    output::write_asset_json(&mut out, a, &window)?;
                }
                for s in &report.skipped {
                    output::write_skipped_json(&mut out, s)?;
                }
            }
            let summary = output::summary(&report.sync, &report.skipped, &assets, &window, elapsed);
            emit_summary(*json, &summary)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Sync {
            records,
            partial,
            json,
            days,
        } => {
            let store = open(args)?;
            let file = File::open(records).map_err(|e| format!("cannot open records file: {e}"))?;
            let (parsed, mut parse_errors) = keepsake_core::parse_json_lines(BufReader::new(file))?;
            // Lines that did not parse are as unknown as rejected records: never remove.
            let mode = if *partial || !parse_errors.is_empty() {
                SyncMode::Partial
            } else {
                SyncMode::Full
            };
            let bar = ProgressBar::new("syncing");
            let started = Instant::now();
            let mut report = store.sync_records(
                parsed,
                mode,
                &|p: Progress| bar.update(p),
                &CancelToken::new(),
            )?;
            bar.finish();
            if !parse_errors.is_empty() {
                *report
                    .sync
                    .failed
                    .entry("invalid_record".into())
                    .or_default() += parse_errors.len() as u64;
                report.sync.removal_skipped = !*partial;
            }
            parse_errors.append(&mut report.rejected);
            parse_errors.sort_by_key(|e| e.line);
            for e in &parse_errors {
                eprintln!("line {}: {}", e.line, e.reason);
            }
            let assets = store.assets()?;
            let window = store.recent_window(*days)?;
            let mut out = std::io::stdout().lock();
            if *json {
                for a in &assets {
                    output::write_asset_json(&mut out, a, &window)?;
                }
            }
            let summary = output::summary(&report.sync, &[], &assets, &window, started.elapsed());
            emit_summary(*json, &summary)?;
            Ok(if parse_errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Window { days, json } => {
            let store = open(args)?;
            let window = store.recent_window(*days)?;
            let assets = store.assets_in_window(&window)?;
            let mut out = std::io::stdout().lock();
            if *json {
                for a in &assets {
                    output::write_asset_json(&mut out, a, &window)?;
                }
            } else {
                writeln!(
                    out,
                    "last {} days ({} .. {}, {}): {} assets",
                    window.days,
                    window.first_day,
                    window.last_day,
                    store.zone().name(),
                    assets.len()
                )?;
                for a in &assets {
                    writeln!(
                        out,
                        "{}  {}",
                        a.asset.captured.to_rfc3339(),
                        a.asset.source_id
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => Err("not a library command".into()),
    }
}
