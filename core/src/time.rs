//! Instants in requests and policies: RFC 3339 timestamps or plain dates.
//!
//! A plain date means midnight UTC at the start of that day. Everything is kept in
//! UTC, so comparing two instants is comparing two integers.

use std::fmt;

/// An instant, to the nanosecond, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    seconds: i64,
    nanos: u32,
}

/// Why a piece of text is not a timestamp.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a date or time: {reason}")]
pub struct TimeError {
    /// The text that was given.
    pub text: String,
    /// What is wrong with it, in plain English.
    pub reason: &'static str,
}

const EXPECTED: &str = "write a date like 2026-03-01 or a time like 2026-03-01T10:00:00Z";

impl Timestamp {
    /// Midnight UTC at the start of the given day. `None` when the day does not exist.
    pub fn from_date(year: i32, month: u32, day: u32) -> Option<Timestamp> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Timestamp {
            seconds: days_from_civil(year, month, day) * 86_400,
            nanos: 0,
        })
    }

    /// The instant `second` seconds into the given day (UTC), for years 0 to
    /// 9999 as a date in text has them: what [`Timestamp::from_date`] gives, plus
    /// the seconds, in unsigned arithmetic without a division the compiler cannot
    /// turn into a multiplication. `None` when the day does not exist.
    #[inline(always)]
    pub(crate) fn from_day_and_second(
        year: u32,
        month: u32,
        day: u32,
        second: u32,
    ) -> Option<Timestamp> {
        if year > 9999 || !(1..=12).contains(&month) || day == 0 || second >= 86_400 {
            return None;
        }
        // Most days exist in every month: only the 29th to 31st need the calendar.
        if day > 28 && day > days_in_month(i32::try_from(year).ok()?, month) {
            return None;
        }
        // Hinnant's days_from_civil, in a year that starts in March (so that a
        // leap day ends it), shifted by one era (400 years, 146,097 days) so
        // that every quantity stays positive; y / 400 is (y / 100) / 4.
        // INVARIANT: year <= 9999, month in 1..=12, day <= 31 and second < 86,400
        // (the callers' digits), so nothing below can overflow; wrapping
        // arithmetic spares the checks.
        let y = u64::from(year).wrapping_add(400 - u64::from(month <= 2));
        let m = u64::from(if month > 2 { month - 3 } else { month + 9 });
        let doy = (m.wrapping_mul(153).wrapping_add(2) / 5).wrapping_add(u64::from(day) - 1);
        let centuries = y / 100;
        let days = y
            .wrapping_mul(365)
            .wrapping_add(y / 4)
            .wrapping_sub(centuries)
            .wrapping_add(centuries / 4)
            .wrapping_add(doy) as i64
            - (719_468 + 146_097);
        Some(Timestamp {
            seconds: days.wrapping_mul(86_400).wrapping_add(i64::from(second)),
            nanos: 0,
        })
    }

    /// The current instant from the system clock.
    pub fn now() -> Timestamp {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Timestamp {
                seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            // A clock set before 1970 is wrong; treat it as the epoch.
            Err(_) => Timestamp {
                seconds: 0,
                nanos: 0,
            },
        }
    }

    /// Parses `YYYY-MM-DD` or an RFC 3339 timestamp such as `2026-03-01T10:00:00Z`
    /// or `2026-03-01T10:00:00.5+02:00`.
    pub fn parse(text: &str) -> Result<Timestamp, TimeError> {
        let fail = |reason| TimeError {
            text: text.chars().take(64).collect(),
            reason,
        };
        let bytes = text.as_bytes();
        let date = bytes.get(..10).ok_or_else(|| fail(EXPECTED))?;
        let (year, month, day) = parse_date(date).ok_or_else(|| fail(EXPECTED))?;
        let midnight = Timestamp::from_date(year, month, day)
            .ok_or_else(|| fail("that day does not exist in the calendar"))?;
        let rest = bytes.get(10..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(midnight);
        }
        let (separator, rest) = rest.split_first().ok_or_else(|| fail(EXPECTED))?;
        if !matches!(separator, b'T' | b't' | b' ') {
            return Err(fail(EXPECTED));
        }
        let hour = two_digits(rest.get(0..2)).ok_or_else(|| fail(EXPECTED))?;
        let minute = two_digits(rest.get(3..5)).filter(|_| rest.get(2) == Some(&b':'));
        let minute = minute.ok_or_else(|| fail(EXPECTED))?;
        let mut rest = rest.get(5..).unwrap_or_default();
        let mut second = 0;
        let mut nanos = 0u32;
        if rest.first() == Some(&b':') {
            second = two_digits(rest.get(1..3)).ok_or_else(|| fail(EXPECTED))?;
            rest = rest.get(3..).unwrap_or_default();
            if rest.first() == Some(&b'.') {
                let digits = rest
                    .iter()
                    .skip(1)
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                if digits == 0 {
                    return Err(fail("a decimal point must be followed by digits"));
                }
                let fraction = rest.get(1..=digits).unwrap_or_default();
                let mut scale = 100_000_000u32;
                for digit in fraction.iter().take(9) {
                    nanos += u32::from(digit - b'0') * scale;
                    scale /= 10;
                }
                rest = rest.get(1 + digits..).unwrap_or_default();
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(fail("the hour, minute or second is out of range"));
        }
        let leap_second = second == 60;
        let offset_seconds: i64 = match rest {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let h = two_digits(Some(&[*h1, *h2])).ok_or_else(|| fail(EXPECTED))?;
                let m = two_digits(Some(&[*m1, *m2])).ok_or_else(|| fail(EXPECTED))?;
                if h > 23 || m > 59 {
                    return Err(fail("the time zone offset is out of range"));
                }
                let magnitude = i64::from(h * 3600 + m * 60);
                if *sign == b'+' { magnitude } else { -magnitude }
            }
            [] => {
                return Err(fail(
                    "a time needs a time zone: end it with Z for UTC or an offset like +02:00",
                ));
            }
            _ => return Err(fail(EXPECTED)),
        };
        // A leap second (:60) falls only in the last minute of a UTC day; it is
        // folded into the next second.
        let utc_minute = (i64::from(hour * 60 + minute) - offset_seconds / 60).rem_euclid(1440);
        if leap_second && utc_minute != 1439 {
            return Err(fail(
                "the second is 60, which only a leap second at 23:59:60 UTC may be",
            ));
        }
        let in_day = i64::from(hour * 3600 + minute * 60 + second);
        Ok(Timestamp {
            seconds: midnight.seconds + in_day - offset_seconds,
            nanos,
        })
    }

    /// The calendar day (UTC) of this instant.
    pub fn date(self) -> (i32, u32, u32) {
        civil_from_days(self.seconds.div_euclid(86_400))
    }

    /// The instant `seconds` and `nanos` after 1970-01-01T00:00:00Z (before it,
    /// when `seconds` is negative); `None` when `nanos` is a second or more.
    pub fn from_unix(seconds: i64, nanos: u32) -> Option<Timestamp> {
        (nanos < 1_000_000_000).then_some(Timestamp { seconds, nanos })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(self) -> i64 {
        self.seconds
    }

    /// RFC 3339 in UTC to the second (`2026-03-01T10:00:00Z`), for prose: a
    /// fraction of a second is dropped, midnight is written out.
    pub fn to_the_second(self) -> String {
        let (y, m, d) = self.date();
        let in_day = self.seconds.rem_euclid(86_400);
        let (h, min, s) = (in_day / 3600, (in_day / 60) % 60, in_day % 60);
        format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
    }

    /// Formats the day as `YYYY-MM-DD`.
    pub fn date_string(self) -> String {
        let (y, m, d) = self.date();
        format!("{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC; a plain date when the instant is midnight.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.date();
        let in_day = self.seconds.rem_euclid(86_400);
        if in_day == 0 && self.nanos == 0 {
            return write!(f, "{y:04}-{m:02}-{d:02}");
        }
        let (h, min, s) = (in_day / 3600, (in_day / 60) % 60, in_day % 60);
        write!(f, "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}")?;
        if self.nanos != 0 {
            write!(f, ".{:09}", self.nanos)?;
        }
        write!(f, "Z")
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn parse_date(bytes: &[u8]) -> Option<(i32, u32, u32)> {
    match bytes {
        [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] => {
            let year = four_digits([*y1, *y2, *y3, *y4])?;
            let month = two_digits(Some(&[*m1, *m2]))?;
            let day = two_digits(Some(&[*d1, *d2]))?;
            Some((i32::try_from(year).ok()?, month, day))
        }
        _ => None,
    }
}

fn four_digits(bytes: [u8; 4]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

fn two_digits(bytes: Option<&[u8]>) -> Option<u32> {
    match bytes? {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_day_is_the_calendar_day() {
        for year in 0..=9999u32 {
            for month in 0..=13 {
                for day in [0, 1, 2, 15, 27, 28, 29, 30, 31, 32] {
                    let slow = Timestamp::from_date(year as i32, month, day);
                    let quick = Timestamp::from_day_and_second(year, month, day, 0);
                    assert_eq!(quick, slow, "{year}-{month}-{day}");
                }
            }
        }
        assert_eq!(Timestamp::from_day_and_second(10_000, 1, 1, 0), None);
        assert_eq!(
            Timestamp::from_day_and_second(2026, 3, 1, 36_000),
            Timestamp::parse("2026-03-01T10:00:00Z").ok()
        );
    }

    fn parsed(text: &str) -> String {
        match Timestamp::parse(text) {
            Ok(t) => t.to_string(),
            Err(e) => format!("error: {}", e.reason),
        }
    }

    #[test]
    fn accepts_dates_and_rfc3339() {
        assert_eq!(parsed("2026-03-01"), "2026-03-01");
        assert_eq!(parsed("2026-03-01T00:00:00Z"), "2026-03-01");
        assert_eq!(parsed("2026-03-01T10:30:00Z"), "2026-03-01T10:30:00Z");
        assert_eq!(parsed("2026-03-01T10:30:00+02:00"), "2026-03-01T08:30:00Z");
        assert_eq!(parsed("2026-03-01T01:00:00-03:30"), "2026-03-01T04:30:00Z");
        assert_eq!(parsed("2026-03-01T10:30Z"), "2026-03-01T10:30:00Z");
        assert_eq!(
            parsed("2026-03-01T10:30:00.25Z"),
            "2026-03-01T10:30:00.250000000Z"
        );
        assert_eq!(parsed("2024-02-29"), "2024-02-29");
        assert_eq!(parsed("1969-12-31T23:59:59Z"), "1969-12-31T23:59:59Z");
        // A leap second, at the end of a UTC day, as the next day's first second.
        assert_eq!(parsed("2016-12-31T23:59:60Z"), "2017-01-01");
        assert_eq!(parsed("2016-12-31T18:59:60-05:00"), "2017-01-01");
    }

    #[test]
    fn rejects_what_is_not_an_instant() {
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2025-02-29",
            "2026-03-01T10:00:00",
            "2026-03-01T25:00Z",
            "2026-03-01X",
            "2026-03-01T10:00:00.Z",
            "yesterday",
            "2026-03-01T10:00:00+2:00",
            "2026-03-01T12:34:60Z",
            "2016-12-31T23:59:60+01:00",
            "2026-03-01T23:59:61Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn orders_by_instant() {
        let a = Timestamp::parse("2026-03-01T00:00:00+01:00").ok();
        let b = Timestamp::parse("2026-03-01").ok();
        assert!(a < b);
    }

    #[test]
    fn round_trips_calendar_days() {
        for days in [-800_000i64, -1, 0, 1, 19_000, 2_900_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
