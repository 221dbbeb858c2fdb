//! `botgate decode --platform P [FILE]`: one frame per input line in, one JSON line out.
//!
//! QQ / Bubble: `{"line":N,"op":..,"s":..,"t":"..","id":"..","data":{..}}`, where `data` is the
//! typed payload re-serialised under its wire names (raw `d` for non-dispatch ops and for
//! unknown event types). OneBot: `{"line":N,"kind":"message.group","data":{..}}`. A line that
//! cannot be decoded gives `{"line":N,"error":".."}` and makes the exit status 1. Blank lines
//! are skipped (they carry no frame).
//!
//! With `--unified`: `{"line":N,"event":{..unified event..}}`, or `{"line":N,"skipped":"<kind>"}`
//! for a frame with no meaning in the unified model (not an error).

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::ExitCode;

use botgate_codec::{Error as CodecError, Frame};
use serde::Serialize;
use serde_json::Value;

use crate::Platform;

#[derive(Serialize)]
struct FrameLine<'a, D: Serialize> {
    line: usize,
    op: u8,
    s: Option<u64>,
    t: Option<&'a str>,
    id: Option<&'a str>,
    data: &'a D,
}

#[derive(Serialize)]
struct KindLine<'a, D: Serialize> {
    line: usize,
    kind: &'a str,
    data: D,
}

#[derive(Serialize)]
struct ErrorLine {
    line: usize,
    error: String,
}

/// Reads `file` (or stdin) and writes one JSON line per non-blank input line to stdout.
/// `unified`: `Some(self_id)` maps every frame into the unified model.
pub fn run(
    platform: Platform,
    unified: Option<String>,
    file: Option<&Path>,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let input: Box<dyn BufRead> = match file {
        Some(path) => Box::new(BufReader::new(
            File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?,
        )),
        None => Box::new(BufReader::new(std::io::stdin().lock())),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut unifier = unified.map(Unifier::new);
    let failed = decode_lines(platform, unifier.as_mut(), input, &mut out)?;
    out.flush()?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Decodes every line of `input` into `out`; returns how many lines failed.
fn decode_lines(
    platform: Platform,
    mut unifier: Option<&mut Unifier>,
    mut input: impl BufRead,
    out: &mut impl Write,
) -> std::io::Result<usize> {
    let mut failed = 0;
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        line_no += 1;
        let line = trim_line_end(&buf);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let rendered = match (&mut unifier, platform) {
            (Some(unifier), _) => unifier.line(platform, line_no, line),
            (None, Platform::Qq | Platform::Bubble) => frame_line(platform, line_no, line),
            (None, Platform::Onebot) => onebot_line(line_no, line),
        };
        let json = match rendered {
            Ok(json) => json,
            Err(error) => {
                failed += 1;
                to_line(&ErrorLine {
                    line: line_no,
                    error,
                })
            }
        };
        out.write_all(json.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(failed)
}

fn trim_line_end(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    &buf[..end]
}

fn to_line(value: &impl Serialize) -> String {
    // Serialising our own types into a String cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

fn frame_line(platform: Platform, line: usize, bytes: &[u8]) -> Result<String, String> {
    let frame = Frame::scan(bytes.to_vec()).map_err(|e| e.to_string())?;
    let head = FrameHead {
        line,
        op: frame.op(),
        s: frame.seq(),
        t: frame.event_type(),
        id: frame.id(),
    };
    match (frame.op(), frame.event_type()) {
        (0, Some(t)) => {
            let d = frame.data().unwrap_or(b"null");
            Ok(match platform {
                Platform::Bubble => {
                    let event = botgate_codec::bubble::decode_event(t, d).map_err(describe)?;
                    head.render(&event)
                }
                _ => {
                    let event = botgate_codec::qq::decode_event(t, d).map_err(describe)?;
                    head.render(&event)
                }
            })
        }
        (0, None) => Err("envelope: dispatch frame (op 0) without `t`".to_owned()),
        _ => {
            let data: Value = match frame.data() {
                Some(d) => serde_json::from_slice(d).map_err(|e| format!("d: {e}"))?,
                None => Value::Null,
            };
            Ok(head.render(&data))
        }
    }
}

struct FrameHead<'a> {
    line: usize,
    op: u8,
    s: Option<u64>,
    t: Option<&'a str>,
    id: Option<&'a str>,
}

impl FrameHead<'_> {
    fn render<D: Serialize>(&self, data: &D) -> String {
        to_line(&FrameLine {
            line: self.line,
            op: self.op,
            s: self.s,
            t: self.t,
            id: self.id,
            data,
        })
    }
}

fn onebot_line(line: usize, bytes: &[u8]) -> Result<String, String> {
    use botgate_codec::onebot::Incoming;
    match Incoming::classify(bytes.to_vec()).map_err(describe)? {
        Incoming::Event(raw) => {
            let event = raw.decode().map_err(describe)?;
            Ok(to_line(&KindLine {
                line,
                kind: raw.kind().as_str(),
                data: &event,
            }))
        }
        Incoming::Response(response) => Ok(to_line(&KindLine {
            line,
            kind: "action_response",
            data: &response,
        })),
        _ => Err("neither an event nor an action response".to_owned()),
    }
}

#[derive(Serialize)]
struct UnifiedLine<'a> {
    line: usize,
    event: &'a botgate_codec::unify::Unified,
}

#[derive(Serialize)]
struct SkippedLine<'a> {
    line: usize,
    skipped: &'a str,
}

/// Maps frames into the unified model, learning the bot's id from READY / BOT_READY.
struct Unifier {
    self_id: String,
}

impl Unifier {
    fn new(self_id: String) -> Self {
        Self { self_id }
    }

    fn line(&mut self, platform: Platform, line: usize, bytes: &[u8]) -> Result<String, String> {
        use botgate_codec::unify::{unify_frame, Outcome, UnifyContext};
        use botgate_proto::unified::Platform as UPlatform;
        let which = match platform {
            Platform::Qq => UPlatform::Qq,
            Platform::Bubble => UPlatform::Bubble,
            Platform::Onebot => UPlatform::OneBot,
        };
        if self.self_id.is_empty() {
            self.learn_self_id(platform, bytes);
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let ctx = UnifyContext::new(self.self_id.clone()).with_now(now);
        match unify_frame(which, bytes, &ctx).map_err(describe)? {
            Outcome::Unified(event) => Ok(to_line(&UnifiedLine {
                line,
                event: &event,
            })),
            Outcome::Skipped(skipped) => Ok(to_line(&SkippedLine {
                line,
                skipped: &skipped.kind,
            })),
            _ => Err("no unified outcome".to_owned()),
        }
    }

    /// QQ READY `d.user.id`, Bubble BOT_READY's bot user id.
    fn learn_self_id(&mut self, platform: Platform, bytes: &[u8]) {
        let Ok(frame) = Frame::scan(bytes.to_vec()) else {
            return;
        };
        let id = match (platform, frame.event_type()) {
            (Platform::Qq, Some("READY")) => frame
                .decode_data::<botgate_proto::qq::Ready>()
                .ok()
                .map(|r| String::from(r.user.id)),
            (Platform::Bubble, Some("BOT_READY")) => frame
                .decode_data::<botgate_proto::bubble::BotReady>()
                .ok()
                .and_then(|r| r.bot_user_id().or_else(|| r.bot_id()))
                .map(|id| id.to_string()),
            _ => None,
        };
        if let Some(id) = id.filter(|id| !id.is_empty()) {
            self.self_id = id;
        }
    }
}

fn describe(e: CodecError) -> String {
    e.to_string()
}
