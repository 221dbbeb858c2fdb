//! qq command encoders.
