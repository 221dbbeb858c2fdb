//! `botgate intents EVENT_TYPE...`: the intents a set of QQ event types needs.

use std::io::Write;
use std::process::ExitCode;

use botgate_codec::Intents;
use botgate_proto::qq::EventType;

/// Prints the decimal value, then the names joined by `|`. Unknown types exit 2.
pub fn run(event_types: &[String]) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut parsed = Vec::with_capacity(event_types.len());
    let mut unknown = Vec::new();
    for name in event_types {
        for part in name.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Ok(t) = part.parse::<EventType>();
            if t.is_unknown() {
                unknown.push(part.to_owned());
            } else {
                parsed.push(t);
            }
        }
    }
    if !unknown.is_empty() {
        errln!(
            "botgate intents: unknown QQ event type{} {} (see docs/events.md for the list)",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", ")
        );
        return Ok(ExitCode::from(2));
    }
    let intents = Intents::for_events(parsed.iter());
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", intents.bits())?;
    writeln!(out, "{}", intents.names().join("|"))?;
    Ok(ExitCode::SUCCESS)
}
