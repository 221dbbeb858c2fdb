//! [`unify_frame`]: raw bytes of one platform frame → unified event, or why not.

use botgate_proto::unified::Platform;

use super::{
    unify_bubble_owned, unify_onebot_owned, unify_qq_owned, Skipped, Unified, UnifyContext,
};
use crate::{Error, Frame};

/// What [`unify_frame`] made of a frame.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// The frame is an event with a unified meaning.
    Unified(Box<Unified>),
    /// The frame decoded but has no unified meaning (a control op, READY, a meta event, an
    /// action response, ...).
    Skipped(Skipped),
}

impl Outcome {
    /// The unified event, if any.
    pub fn unified(&self) -> Option<&Unified> {
        match self {
            Outcome::Unified(u) => Some(u),
            Outcome::Skipped(_) => None,
        }
    }
}

impl From<Result<Unified, Skipped>> for Outcome {
    fn from(r: Result<Unified, Skipped>) -> Self {
        match r {
            Ok(u) => Outcome::Unified(Box::new(u)),
            Err(s) => Outcome::Skipped(s),
        }
    }
}

/// Decodes one frame of `platform` (a QQ / Bubble gateway frame, a OneBot event object) and
/// maps it into the unified model.
///
/// QQ and Bubble frames other than dispatches are [`Outcome::Skipped`] with kind `op N`;
/// OneBot action responses with kind `action response`. `self_id` is not learnt from READY /
/// BOT_READY here: the caller keeps it in `ctx`.
///
/// # Errors
/// The codec's [`Error`] when the bytes are not a valid frame of the platform or a known
/// event's payload does not decode.
pub fn unify_frame(platform: Platform, bytes: &[u8], ctx: &UnifyContext) -> Result<Outcome, Error> {
    match platform {
        Platform::Qq | Platform::Bubble => {
            let frame = Frame::scan(bytes.to_vec())?;
            let op = frame.op();
            let Some(t) = frame.event_type().filter(|_| op == 0) else {
                return Ok(Outcome::Skipped(Skipped::new(platform, format!("op {op}"))));
            };
            let data = frame.data().unwrap_or(b"null");
            Ok(if platform == Platform::Qq {
                unify_qq_owned(crate::qq::decode_event(t, data)?, ctx).into()
            } else {
                unify_bubble_owned(crate::bubble::decode_event(t, data)?, ctx).into()
            })
        }
        Platform::OneBot => match crate::onebot::Incoming::classify(bytes.to_vec())? {
            crate::onebot::Incoming::Event(raw) => {
                Ok(unify_onebot_owned(raw.decode()?, ctx).into())
            }
            crate::onebot::Incoming::Response(_) => {
                Ok(Outcome::Skipped(Skipped::new(platform, "action response")))
            }
        },
        other => Ok(Outcome::Skipped(Skipped::new(
            other,
            "unsupported platform",
        ))),
    }
}
