//! The timeline and suggestions: `moments`, `trips`, `home`, `suggest`, `feedback`, `dates`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::Moments { json } => {
            let store = open(args)?;
            let moments = store.moments(&keepsake_core::moments::MomentParams::default())?;
            let names = store.source_ids()?;
            let mut out = std::io::stdout().lock();
            for m in &moments {
                if *json {
                    writeln!(out, "{}", output::moment_json(m, &names))?;
                } else {
                    writeln!(
                        out,
                        "{} .. {}  {:>4} photos  {}",
                        m.start.to_rfc3339(),
                        m.end.to_rfc3339(),
                        m.assets.len(),
                        output::place(m.centroid)
                    )?;
                }
            }
            if !*json {
                writeln!(out, "{} moments", moments.len())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Trips { json, away_km } => {
            let store = open(args)?;
            let params = keepsake_core::trips::TripParams {
                away_km: *away_km,
                ..Default::default()
            };
            let trips = store.trips(&params)?;
            let names = store.source_ids()?;
            let mut out = std::io::stdout().lock();
            for t in &trips {
                if *json {
                    writeln!(out, "{}", output::trip_json(t, &names))?;
                } else {
                    writeln!(
                        out,
                        "{} .. {}  {:>4} photos  {:>6.0} km  {} stops",
                        t.start.to_rfc3339(),
                        t.end.to_rfc3339(),
                        t.assets.len(),
                        t.distance_km,
                        t.stops.len()
                    )?;
                }
            }
            if !*json {
                writeln!(out, "{} trips", trips.len())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Home { action, coords } => {
            let store = open(args)?;
            match (action, coords.as_slice()) {
                (HomeAction::Set, [lat, lon]) => store.set_home(Some((*lat, *lon)))?,
                (HomeAction::Set, _) => return Err("home set needs LAT LON".into()),
                (HomeAction::Clear, _) => store.set_home(None)?,
                (HomeAction::Show, _) => {}
            }
            let mut out = std::io::stdout().lock();
            for h in store.homes(50.0)? {
                let how = if h.user_set {
                    "set by you".to_string()
                } else {
                    format!("inferred from {} days", h.days)
                };
                writeln!(out, "home {}  ({how})", output::place(Some(h.center)))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Suggest { json, months } => {
            let store = open(args)?;
            let suggestions = store.suggestions(None, months)?;
            let names = store.source_ids()?;
            let mut out = std::io::stdout().lock();
            for s in &suggestions {
                if *json {
                    writeln!(out, "{}", output::suggestion_json(s, &names))?;
                } else {
                    writeln!(out, "{}", output::suggestion_line(s))?;
                }
            }
            if !*json {
                writeln!(out, "{} suggestions", suggestions.len())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Feedback { action } => {
            let store = open(args)?;
            match action {
                Feedback::Dismiss { id } => store.dismiss_suggestion(id)?,
                Feedback::Undismiss { id } => {
                    if !store.undismiss_suggestion(id)? {
                        return Err(format!("{id} was not dismissed").into());
                    }
                }
                Feedback::ShowRange { id } => {
                    if !store.remove_hidden_range(*id)? {
                        return Err(format!("no hidden range {id}").into());
                    }
                }
                Feedback::SensitivePlace { lat, lon, radius_m } => {
                    let id = store.add_sensitive_place(*lat, *lon, *radius_m)?;
                    println!("sensitive place {id}");
                }
                Feedback::RemoveSensitivePlace { id } => {
                    if !store.remove_sensitive_place(*id)? {
                        return Err(format!("no sensitive place {id}").into());
                    }
                }
                Feedback::List => {
                    for id in store.dismissed_suggestions()? {
                        println!("dismissed {id}");
                    }
                    for s in store.sensitive_places()? {
                        println!(
                            "sensitive place {}: {:.5}, {:.5}, {} m",
                            s.id, s.lat, s.lon, s.radius_m
                        );
                    }
                    for r in store.hidden_ranges()? {
                        let (a, b) = (r.start.to_rfc3339(), r.end.to_rfc3339());
                        println!("hidden range {}: {a} .. {b}", r.id);
                    }
                    for album in store.excluded_albums()? {
                        println!("excluded album {album}");
                    }
                    let junk = store.junk_albums()?;
                    println!(
                        "junk albums: containing {:?}, named {:?}",
                        junk.contains, junk.exact
                    );
                }
                Feedback::JunkAlbum { name } => {
                    let mut junk = store.junk_albums()?;
                    junk.contains.push(name.clone());
                    store.set_junk_albums(&junk)?;
                }
                Feedback::Hide { asset } => store.set_asset_hidden(asset, true)?,
                Feedback::Unhide { asset } => store.set_asset_hidden(asset, false)?,
                Feedback::HideRange { start, end } => {
                    let id = store.hide_range(*start, *end)?;
                    println!("hidden range {id}");
                }
                Feedback::ExcludeAlbum { album } => store.set_album_excluded(album, true)?,
                Feedback::IncludeAlbum { album } => store.set_album_excluded(album, false)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Dates { action } => {
            let store = open(args)?;
            match action {
                Dates::Add {
                    label,
                    date,
                    kind,
                    year,
                } => {
                    let kind = keepsake_core::suggest::SpecialKind::parse(kind)
                        .ok_or("kind must be birthday, anniversary or other")?;
                    let d = keepsake_core::suggest::SpecialDate {
                        id: 0,
                        label: label.clone(),
                        kind,
                        month: date.0,
                        day: date.1,
                        year: *year,
                    };
                    println!("added date {}", store.add_special_date(&d)?);
                }
                Dates::List => {
                    for d in store.special_dates()? {
                        println!(
                            "{}  {:02}-{:02}  {}  {}",
                            d.id,
                            d.month,
                            d.day,
                            d.kind.as_str(),
                            d.label
                        );
                    }
                }
                Dates::Remove { id } => {
                    if !store.remove_special_date(*id)? {
                        return Err(format!("no date with id {id}").into());
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => Err("not a timeline command".into()),
    }
}
