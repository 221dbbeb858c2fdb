//! Bubble command encoders and typed event decode.
