//! Consent and the user's rights: `consent`, `audit`, `export`, `forget`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Consent {
            action,
            scopes,
            json,
        } => {
            let store = open(args)?;
            let chosen = parse_scopes(scopes, matches!(action, ConsentAction::Status))?;
            let mut out = std::io::stdout().lock();
            match action {
                ConsentAction::Grant => {
                    for s in &chosen {
                        store.grant_consent(*s)?;
                    }
                }
                ConsentAction::Revoke => {
                    for s in &chosen {
                        let purge = store.revoke_consent(*s)?;
                        writeln!(
                            out,
                            "revoked {s}: {} derived rows erased",
                            purge.rows_deleted
                        )?;
                    }
                }
                ConsentAction::Status => {}
            }
            for st in store.consent_status()? {
                if *json {
                    writeln!(out, "{}", serde_json::to_string(&st)?)?;
                } else {
                    let state = if st.granted { "granted" } else { "not granted" };
                    writeln!(out, "{:<12} {state}", st.scope.as_str())?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { json } => {
            let store = open(args)?;
            for e in store.audit_log()? {
                if *json {
                    println!("{}", serde_json::to_string(&e)?);
                } else {
                    let at = chrono::DateTime::from_timestamp_millis(e.at_ms)
                        .map_or_else(|| e.at_ms.to_string(), |t| t.to_rfc3339());
                    println!(
                        "{at}  {:<15} consent [{}]{}{}{}",
                        e.action,
                        e.consent,
                        e.photos.map_or(String::new(), |n| format!("  photos {n}")),
                        e.model_sha256.as_deref().map_or(String::new(), |m| format!(
                            "  model {}",
                            &m[..12.min(m.len())]
                        )),
                        e.detail.map_or(String::new(), |d| format!("  ({d})")),
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { out } => {
            let store = open(args)?;
            let doc = serde_json::to_string_pretty(&store.export()?)?;
            match out {
                Some(p) => std::fs::write(p, doc)?,
                None => println!("{doc}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Forget { assets } => {
            let store = open(args)?;
            let r = store.forget(assets)?;
            println!(
                "forgot {} of {} photos; database now {} bytes",
                r.rows_deleted,
                assets.len(),
                r.database_bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        _ => Err("not a privacy command".into()),
    }
}
