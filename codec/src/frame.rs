//! One frame of the QQ / Bubble gateway, scanned without parsing `d`.
