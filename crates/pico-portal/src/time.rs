//! Dates as Italians read and write them: in Rome's time zone, with Italian month names.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Rome;

const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

pub fn month_name(month: u32) -> &'static str {
    MONTHS[(month as usize).saturating_sub(1) % 12]
}

/// A `datetime-local` field ("2026-12-01T09:30"), read as Rome's time. Empty is `None`.
pub fn parse_local(input: &str) -> Result<Option<DateTime<Utc>>, ()> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(input, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| ())?;
    // At the autumn change an hour happens twice: take the first.
    Rome.from_local_datetime(&naive)
        .earliest()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or(())
}

/// The value of a `datetime-local` field.
pub fn to_local_input(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| t.with_timezone(&Rome).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// "1 dicembre 2026".
pub fn date(at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&Rome);
    format!("{} {} {}", t.day(), month_name(t.month()), t.year())
}

/// "1 dicembre 2026, 09:30".
pub fn date_time(at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&Rome);
    format!("{}, {:02}:{:02}", date(at), t.hour(), t.minute())
}

/// "2026-12-01", for `<time datetime>`.
pub fn iso_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&Rome).format("%Y-%m-%d").to_string()
}

/// The first instant of a month in Rome, and of the next one.
pub fn month_bounds(year: i32, month: u32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = Rome.with_ymd_and_hms(year, month, 1, 0, 0, 0).earliest()?;
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let end = Rome.with_ymd_and_hms(ny, nm, 1, 0, 0, 0).earliest()?;
    Some((start.with_timezone(&Utc), end.with_timezone(&Utc)))
}

/// The (year, month) in Rome now.
pub fn this_month() -> (i32, u32) {
    let now = Utc::now().with_timezone(&Rome);
    (now.year(), now.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_rome_times() {
        let winter = parse_local("2026-12-01T09:30").unwrap().unwrap();
        assert_eq!(winter.to_rfc3339(), "2026-12-01T08:30:00+00:00");
        let summer = parse_local("2026-07-01T09:30").unwrap().unwrap();
        assert_eq!(summer.to_rfc3339(), "2026-07-01T07:30:00+00:00");
        assert_eq!(to_local_input(Some(winter)), "2026-12-01T09:30");
        assert_eq!(parse_local(" ").unwrap(), None);
        assert!(parse_local("domani").is_err());
    }

    #[test]
    fn dates_read_in_italian() {
        let at = parse_local("2026-03-05T18:05").unwrap().unwrap();
        assert_eq!(date(at), "5 marzo 2026");
        assert_eq!(date_time(at), "5 marzo 2026, 18:05");
    }
}
