//! bubble command encoders.
