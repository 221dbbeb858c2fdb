//! QQ command encoders and typed event decode.
