//! RFC 3339 timestamps (QQ's `2021-05-20T15:14:58+08:00`, Bubble's `2025-12-31T12:00:00Z`) to
//! unix seconds, without a date-time dependency.

/// Unix seconds of an RFC 3339 date-time (`T` or a space between date and time, optional
/// fraction, `Z` or `±HH:MM` / `±HHMM` offset; no offset is read as UTC). `None` when the text
/// is not one. Never panics.
pub(crate) fn rfc3339_to_unix(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let year = num(0, 4)?;
    let month = num(5, 2)?;
    let day = num(8, 2)?;
    let hour = num(11, 2)?;
    let minute = num(14, 2)?;
    let second = num(17, 2)?;
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let (om, end) = if b.get(i + 3) == Some(&b':') {
                (num(i + 4, 2)?, i + 6)
            } else {
                (num(i + 3, 2)?, i + 5)
            };
            if end != b.len() || oh > 23 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            if sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        Some(_) => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::rfc3339_to_unix as p;

    #[test]
    fn offsets_and_fractions_are_applied() {
        assert_eq!(p("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(p("2021-05-20T15:14:58+08:00"), Some(1_621_494_898));
        assert_eq!(p("2021-05-20T07:14:58Z"), Some(1_621_494_898));
        assert_eq!(p("2021-05-20T07:14:58.123456Z"), Some(1_621_494_898));
        assert_eq!(p("2025-12-31T12:00:00Z"), Some(1_767_182_400));
        assert_eq!(p("2023-11-06T13:37:18+08:00"), Some(1_699_249_038));
        assert_eq!(p("2000-02-29 00:00:00-0130"), Some(951_787_800));
        assert_eq!(p("1969-12-31T23:59:59Z"), Some(-1));
    }

    #[test]
    fn garbage_is_none_not_a_panic() {
        for s in [
            "",
            "2021",
            "2021-13-01T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2021-05-20T15:14:58+8",
            "2021-05-20T15:14:58Zjunk",
            "2021-05-20X15:14:58Z",
            "2021-05-20T15:14:58.Z",
            "２０２１-05-20T15:14:58Z",
            "1712640000",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }
}
