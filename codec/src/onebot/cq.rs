//! CQ codes with the codec's error type: [`parse`] (strict, [`ErrorKind::CqCode`] with the byte
//! offset), [`parse_lenient`] (never fails), [`render`] and the escaping helpers.
//!
//! The parser itself lives in `botgate_proto::onebot::cq` so that a message arriving as a CQ
//! string decodes inside the payload types; see there for the escaping rules.
//!
//! ```
//! use botgate_codec::onebot::{cq, Segment};
//! let segs = cq::parse("[CQ:at,qq=all] 今晚8点开会&#91;重要&#93;")?;
//! assert_eq!(segs[1], Segment::text(" 今晚8点开会[重要]"));
//! assert_eq!(cq::render(&segs), "[CQ:at,qq=all] 今晚8点开会&#91;重要&#93;");
//! # Ok::<(), botgate_codec::Error>(())
//! ```

use crate::{Error, ErrorKind};
use botgate_proto::onebot::cq as imp;
use botgate_proto::onebot::Segment;

pub use imp::{
    escape_param, escape_text, parse_lenient_text, render, render_into, unescape_param,
    unescape_text, MAX_DEPTH,
};

/// Parse a CQ string strictly.
///
/// # Errors
/// [`ErrorKind::CqCode`] with the byte offset of the first problem: an unescaped `[` or `]` in
/// text, an unterminated code, an empty type, a parameter without `=` or with an empty name, a
/// duplicate parameter, typed data that does not fit (`[CQ:location,lat=north]`), `node`
/// contents nested deeper than [`MAX_DEPTH`].
pub fn parse(s: &str) -> Result<Vec<Segment>, Error> {
    imp::parse(s).map_err(|e| {
        Error::new(ErrorKind::CqCode {
            offset: e.offset,
            reason: e.reason.clone(),
        })
    })
}

/// Parse a CQ string leniently: malformed codes stay literal text, unfitting typed data stays
/// an unknown segment. Never fails.
pub fn parse_lenient(s: &str) -> Vec<Segment> {
    imp::parse_lenient(s)
}
