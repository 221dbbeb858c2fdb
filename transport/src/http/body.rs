//! Reading an HTTP answer's body with a bound: a peer (or anything between) that answers a
//! token request or a REST call with a gigabyte would otherwise be buffered whole.

use bytes::{Bytes, BytesMut};

/// The most an HTTP answer's body may hold: REST answers are small (a token answer is a few
/// hundred bytes, a message list some kilobytes).
pub const MAX_RESPONSE_BODY: usize = 16 << 20;

/// Why a body was not read.
pub(crate) enum BodyError {
    /// The transfer failed.
    Read(reqwest::Error),
    /// It is (or announces to be) longer than the bound.
    TooLarge,
}

impl BodyError {
    /// The reason of a [`BodyError::TooLarge`], for the error's detail.
    pub(crate) fn too_large() -> String {
        format!("the answer exceeds {MAX_RESPONSE_BODY} bytes")
    }
}

/// The body of `response`, at most [`MAX_RESPONSE_BODY`] bytes.
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Bytes, BodyError> {
    let max = MAX_RESPONSE_BODY;
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > max {
            return Err(BodyError::TooLarge);
        }
        if body.is_empty() && response.content_length() == Some(chunk.len() as u64) {
            // The whole body in one chunk (the usual small answer): no copy.
            return Ok(chunk);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}
