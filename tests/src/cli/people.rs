//! People: `people` and its edits, `people-set`.

use super::*;

pub(super) fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match &args.command {
        Command::People { action, json } => {
            let store = open(args)?;
            people(&store, action.as_ref(), *json)
        }
        Command::PeopleSet { out, from } => crate::people_eval::make_set(from, out),
        _ => Err("not a people command".into()),
    }
}

pub(super) fn people_update(
    store: &Keepsake,
    path: &std::path::Path,
    regroup: bool,
    quiet: bool,
) -> Result<keepsake_core::people::PeopleReport, Box<dyn std::error::Error>> {
    let embedder = keepsake_core::people::Embedder::load_path(path)
        .map_err(|e| format!("cannot load the face embedder: {e}"))?;
    let options = keepsake_core::people::PeopleOptions {
        regroup: if regroup {
            keepsake_core::people::Regroup::Always
        } else {
            keepsake_core::people::Regroup::Auto
        },
        ..Default::default()
    };
    let bar = ProgressBar::new("people");
    let report = store.update_people(
        &embedder,
        &options,
        &|p: Progress| bar.update(p),
        &CancelToken::new(),
    )?;
    bar.finish();
    if !quiet {
        println!(
            "people: {} faces described ({} low quality, {} not describable), {} people, {} faces waiting{}",
            report.described,
            report.low_quality,
            report.failed,
            report.people,
            report.waiting,
            if report.regrouped { "; re-grouped" } else { "" }
        );
    }
    Ok(report)
}

fn people(
    store: &Keepsake,
    action: Option<&PeopleAction>,
    json: bool,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let done = |what: String| {
        println!("{what}");
        Ok(ExitCode::SUCCESS)
    };
    match action {
        None => {
            for p in store.people()? {
                let faces = store.person_faces(p.id)?;
                if json {
                    let face = |f: &keepsake_core::people::PersonFace| serde_json::json!({"face": f.face_id, "asset": f.asset, "x": f.x, "y": f.y, "w": f.w, "h": f.h});
                    let v = serde_json::json!({
                        "id": p.id,
                        "name": p.name,
                        "birthday": p.birthday,
                        "hidden": p.hidden,
                        "excluded": p.excluded,
                        "photos": p.photos,
                        "first_seen": p.first_seen,
                        "last_seen": p.last_seen,
                        "cover": p.cover.as_ref().map(face),
                        "faces": faces.iter().map(face).collect::<Vec<_>>(),
                    });
                    println!("{v}");
                } else {
                    let span = match (p.first_seen, p.last_seen) {
                        (Some(a), Some(b)) => {
                            format!(", {} – {}", a.date_naive(), b.date_naive())
                        }
                        _ => String::new(),
                    };
                    let state = if p.excluded {
                        " [excluded]"
                    } else if p.hidden {
                        " [hidden]"
                    } else {
                        ""
                    };
                    println!(
                        "{:>5}  {:<20} {} photos, {} faces{span}{state}",
                        p.id,
                        p.name.as_deref().unwrap_or("(unnamed)"),
                        p.photos,
                        p.faces
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(PeopleAction::Update { embedder, regroup }) => {
            let path = embedder
                .clone()
                .or_else(crate::people_eval::default_embedder)
                .ok_or("no face embedder: pass --embedder or run scripts/setup.sh")?;
            let report = people_update(store, &path, *regroup, json)?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(PeopleAction::Merge { into, from }) => {
            store.merge_people(*into, *from)?;
            done(format!("person {from} merged into {into}"))
        }
        Some(PeopleAction::Split { person, faces }) => {
            let new = store.split_person(*person, faces)?;
            done(format!(
                "{} faces split off person {person} into person {new}",
                faces.len()
            ))
        }
        Some(PeopleAction::Name { person, name }) => {
            store.name_person(*person, Some(name))?;
            done(format!("person {person} named"))
        }
        Some(PeopleAction::Birthday {
            person,
            date,
            year,
            clear,
        }) => {
            let birthday = match (date, clear) {
                (_, true) => None,
                (Some((month, day)), false) => Some(keepsake_core::people::Birthday {
                    month: *month,
                    day: *day,
                    year: *year,
                }),
                (None, false) => return Err("give MM-DD or --clear".into()),
            };
            store.set_person_birthday(*person, birthday)?;
            done(format!(
                "birthday of person {person} {}",
                if birthday.is_some() { "set" } else { "cleared" }
            ))
        }
        Some(PeopleAction::Hide { person }) => {
            store.set_person_hidden(*person, true)?;
            done(format!("person {person} hidden from people suggestions"))
        }
        Some(PeopleAction::Unhide { person }) => {
            store.set_person_hidden(*person, false)?;
            done(format!("person {person} shown in people suggestions again"))
        }
        Some(PeopleAction::Exclude { person }) => {
            store.exclude_person(*person, true)?;
            done(format!(
                "person {person} excluded: no photo with them enters a suggestion or collage"
            ))
        }
        Some(PeopleAction::Include { person }) => {
            store.exclude_person(*person, false)?;
            done(format!(
                "person {person} included again (described at the next `people update`)"
            ))
        }
        Some(PeopleAction::Reject { face }) => {
            store.reject_face(*face)?;
            done(format!("face {face} taken off its person"))
        }
        Some(PeopleAction::Assign { face, person }) => {
            store.assign_face(*face, *person)?;
            done(format!("face {face} is person {person}"))
        }
    }
}
