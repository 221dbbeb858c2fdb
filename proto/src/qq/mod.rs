//! QQ Bot gateway payloads (the botgo dto field set), ids as strings.
