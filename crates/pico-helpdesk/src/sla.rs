//! Business time: SLA targets are counted only during a space's working hours (by default
//! Monday to Friday, 9–13 and 14–17, Europe/Rome), skipping the Italian national public
//! holidays and the space's patron saint's day. Instants are stored in UTC; the working hours
//! are wall-clock times of the zone, so that a change of daylight saving time moves nothing.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A working interval of a day, in wall-clock time: from `.0` (included) to `.1` (excluded).
pub type Interval = (NaiveTime, NaiveTime);

/// When a space's help desk works.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    zone: Tz,
    /// The working intervals of each weekday, Monday first, sorted and disjoint.
    week: [Vec<Interval>; 7],
    /// The patron saint's day of the space, a holiday every year: (month, day).
    patron: Option<(u32, u32)>,
}

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).expect("a valid time of day")
}

impl Default for Schedule {
    /// Monday to Friday, 9–13 and 14–17, in Italy, without a patron saint's day.
    fn default() -> Self {
        let day = vec![(at(9, 0), at(13, 0)), (at(14, 0), at(17, 0))];
        Schedule {
            zone: chrono_tz::Europe::Rome,
            week: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
            patron: None,
        }
    }
}

impl Schedule {
    /// A schedule with these working intervals per weekday (Monday first); refused, with the
    /// reason in Italian, when an interval is empty or overlaps another, or when no day has
    /// any working time (a deadline would never come).
    pub fn new(
        zone: Tz,
        week: [Vec<Interval>; 7],
        patron: Option<(u32, u32)>,
    ) -> Result<Self, String> {
        for (day, intervals) in week.iter().enumerate() {
            for (i, (from, to)) in intervals.iter().enumerate() {
                if from >= to {
                    return Err(format!(
                        "{}: ogni fascia oraria deve finire dopo il suo inizio.",
                        WEEKDAYS[day]
                    ));
                }
                if i > 0 && intervals[i - 1].1 > *from {
                    return Err(format!(
                        "{}: le fasce orarie devono essere in ordine e non sovrapposte.",
                        WEEKDAYS[day]
                    ));
                }
            }
        }
        if week.iter().all(Vec::is_empty) {
            return Err("Indica l'orario di almeno un giorno della settimana.".into());
        }
        if let Some((month, day)) = patron
            && NaiveDate::from_ymd_opt(2024, month, day).is_none()
        {
            return Err("Il giorno del santo patrono non è una data valida.".into());
        }
        Ok(Schedule { zone, week, patron })
    }

    pub fn week(&self) -> &[Vec<Interval>; 7] {
        &self.week
    }

    pub fn patron(&self) -> Option<(u32, u32)> {
        self.patron
    }

    /// Whether nobody works on `date`: a national holiday or the patron saint's day.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        is_national_holiday(date) || self.patron == Some((date.month(), date.day()))
    }

    /// The working intervals of `date`, as instants.
    fn intervals(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.is_holiday(date) {
            return Vec::new();
        }
        let weekday = date.weekday().num_days_from_monday() as usize;
        self.week[weekday]
            .iter()
            .filter_map(|(from, to)| {
                // A wall-clock time that does not exist (the hour skipped in spring) starts
                // or ends the interval at the first instant that does.
                let instant = |time: NaiveTime| {
                    let local = date.and_time(time);
                    self.zone
                        .from_local_datetime(&local)
                        .earliest()
                        .or_else(|| {
                            self.zone
                                .from_local_datetime(&(local + Duration::hours(1)))
                                .earliest()
                        })
                        .map(|t| t.with_timezone(&Utc))
                };
                Some((instant(*from)?, instant(*to)?))
            })
            .filter(|(from, to)| from < to)
            .collect()
    }

    fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.zone).date_naive()
    }

    /// The instant when `minutes` of business time have passed since `start`.
    pub fn add(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut left = Duration::minutes(minutes.max(0));
        if left.is_zero() {
            return start;
        }
        let mut date = self.local_date(start);
        // `new` guarantees working time every week and a year has a dozen holidays, so the
        // loop ends; the bound only turns a bug into a far deadline instead of a hang.
        for _ in 0..3660 {
            for (from, to) in self.intervals(date) {
                let from = from.max(start);
                if from >= to {
                    continue;
                }
                let available = to - from;
                if left <= available {
                    return from + left;
                }
                left -= available;
            }
            date = date.succ_opt().expect("a date before the end of time");
        }
        start + Duration::days(3660)
    }

    /// The business time between two instants, in whole minutes; zero when `to` is not after
    /// `from`.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = Duration::zero();
        let mut date = self.local_date(from);
        let last = self.local_date(to);
        while date <= last {
            for (start, end) in self.intervals(date) {
                let start = start.max(from);
                let end = end.min(to);
                if start < end {
                    total += end - start;
                }
            }
            date = date.succ_opt().expect("a date before the end of time");
        }
        total.num_minutes()
    }

    /// Where a ticket stands against a deadline set at `started` for `due`: in breach once the
    /// deadline has passed, at risk in the last quarter of its business time.
    pub fn standing(
        &self,
        started: DateTime<Utc>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Standing {
        if now >= due {
            return Standing::Breached;
        }
        let total = self.between(started, due);
        let left = self.between(now, due);
        if left * 4 <= total {
            Standing::AtRisk
        } else {
            Standing::OnTime
        }
    }
}

/// Where a ticket stands against one of its SLA deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    OnTime,
    AtRisk,
    Breached,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::OnTime => "Nei tempi",
            Standing::AtRisk => "A rischio",
            Standing::Breached => "Scaduto",
        }
    }

    /// The Bootstrap Italia class of its badge.
    pub fn badge(self) -> &'static str {
        match self {
            Standing::OnTime => "bg-success",
            Standing::AtRisk => "bg-warning text-dark",
            Standing::Breached => "bg-danger",
        }
    }
}

/// The Italian names of the weekdays, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Lunedì",
    "Martedì",
    "Mercoledì",
    "Giovedì",
    "Venerdì",
    "Sabato",
    "Domenica",
];

/// Easter Sunday of `year` in the Gregorian calendar (the "anonymous Gregorian algorithm").
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a real date")
}

/// The national public holidays of the Italian Republic (Law 260/1949 and later changes):
/// fixed dates plus Easter Monday.
pub fn is_national_holiday(date: NaiveDate) -> bool {
    const FIXED: [(u32, u32); 10] = [
        (1, 1),   // Capodanno
        (1, 6),   // Epifania
        (4, 25),  // Festa della Liberazione
        (5, 1),   // Festa del lavoro
        (6, 2),   // Festa della Repubblica
        (8, 15),  // Ferragosto
        (11, 1),  // Ognissanti
        (12, 8),  // Immacolata Concezione
        (12, 25), // Natale
        (12, 26), // Santo Stefano
    ];
    FIXED.contains(&(date.month(), date.day()))
        || easter_sunday(date.year()).succ_opt() == Some(date)
}

/// Reads one day's working hours as people write them: `09:00-13:00, 14:00-17:00`; an empty
/// text is a day off.
pub fn parse_day(text: &str) -> Result<Vec<Interval>, String> {
    let mut intervals = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (from, to) = part
            .split_once('-')
            .ok_or_else(|| format!("«{part}» non è una fascia oraria come 09:00-13:00."))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("«{}» non è un orario come 09:00.", t.trim()))
        };
        intervals.push((time(from)?, time(to)?));
    }
    Ok(intervals)
}

/// Writes one day's working hours the way [`parse_day`] reads them.
pub fn format_day(intervals: &[Interval]) -> String {
    intervals
        .iter()
        .map(|(from, to)| format!("{}-{}", from.format("%H:%M"), to.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a patron saint's day written as `gg/mm` (`27/04`); empty for none.
pub fn parse_patron(text: &str) -> Result<Option<(u32, u32)>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let refuse = || format!("«{text}» non è un giorno come 27/04.");
    let (day, month) = text.split_once('/').ok_or_else(refuse)?;
    let day: u32 = day.trim().parse().map_err(|_| refuse())?;
    let month: u32 = month.trim().parse().map_err(|_| refuse())?;
    // 2024 is a leap year: 29 February is a possible patron's day.
    NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(refuse)?;
    Ok(Some((month, day)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Rome;

    /// An instant given in Italian wall-clock time.
    fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Rome.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn easter_falls_where_the_calendar_says() {
        assert_eq!(
            easter_sunday(2024),
            NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
        );
        assert_eq!(
            easter_sunday(2025),
            NaiveDate::from_ymd_opt(2025, 4, 20).unwrap()
        );
        assert_eq!(
            easter_sunday(2026),
            NaiveDate::from_ymd_opt(2026, 4, 5).unwrap()
        );
        assert_eq!(
            easter_sunday(2027),
            NaiveDate::from_ymd_opt(2027, 3, 28).unwrap()
        );
        assert_eq!(
            easter_sunday(2038),
            NaiveDate::from_ymd_opt(2038, 4, 25).unwrap()
        );
    }

    #[test]
    fn the_national_holidays_of_2026() {
        let holidays: Vec<NaiveDate> = NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .iter_days()
            .take_while(|d| d.year() == 2026)
            .filter(|d| is_national_holiday(*d))
            .collect();
        let expected = [
            (1, 1),
            (1, 6),
            (4, 6), // Easter Monday
            (4, 25),
            (5, 1),
            (6, 2),
            (8, 15),
            (11, 1),
            (12, 8),
            (12, 25),
            (12, 26),
        ]
        .map(|(m, d)| NaiveDate::from_ymd_opt(2026, m, d).unwrap());
        assert_eq!(holidays, expected);
    }

    #[test]
    fn business_time_skips_the_lunch_break() {
        let s = Schedule::default();
        assert_eq!(
            s.add(rome(2026, 11, 24, 12, 30), 60),
            rome(2026, 11, 24, 14, 30)
        );
        assert_eq!(
            s.between(rome(2026, 11, 24, 12, 30), rome(2026, 11, 24, 14, 30)),
            60
        );
    }

    #[test]
    fn a_ticket_opened_before_opening_time_starts_counting_at_nine() {
        let s = Schedule::default();
        assert_eq!(
            s.add(rome(2026, 11, 24, 7, 0), 30),
            rome(2026, 11, 24, 9, 30)
        );
        // Opened in the evening: the next morning.
        assert_eq!(
            s.add(rome(2026, 11, 24, 20, 0), 30),
            rome(2026, 11, 25, 9, 30)
        );
    }

    #[test]
    fn business_time_skips_the_weekend() {
        let s = Schedule::default();
        // Friday 20 November 2026, 16:00: one hour on Friday, one on Monday.
        let friday = rome(2026, 11, 20, 16, 0);
        assert_eq!(s.add(friday, 120), rome(2026, 11, 23, 10, 0));
        assert_eq!(s.between(friday, rome(2026, 11, 23, 10, 0)), 120);
        // Saturday and Sunday count nothing.
        assert_eq!(
            s.between(rome(2026, 11, 21, 9, 0), rome(2026, 11, 22, 18, 0)),
            0
        );
    }

    #[test]
    fn business_time_skips_easter_monday() {
        let s = Schedule::default();
        // Friday 3 April 2026 (Good Friday is a working day), then Easter Monday 6 April.
        let friday = rome(2026, 4, 3, 16, 30);
        assert_eq!(s.add(friday, 60), rome(2026, 4, 7, 9, 30));
        assert_eq!(s.between(friday, rome(2026, 4, 7, 9, 30)), 60);
    }

    #[test]
    fn business_time_skips_liberation_day_and_the_weekend_after_it() {
        let s = Schedule::default();
        // Thursday 24 April 2025; 25 April is a Friday, then the weekend.
        let thursday = rome(2025, 4, 24, 16, 0);
        assert_eq!(s.add(thursday, 120), rome(2025, 4, 28, 10, 0));
        // A whole working day is seven hours.
        assert_eq!(s.add(thursday, 60 + 7 * 60), rome(2025, 4, 28, 17, 0));
    }

    #[test]
    fn the_patron_saint_s_day_is_a_holiday_of_its_space_only() {
        let treviso = Schedule::new(
            Rome,
            Schedule::default().week().clone(),
            parse_patron("27/04").unwrap(),
        )
        .unwrap();
        // Monday 27 April 2026, San Liberale.
        let friday = rome(2026, 4, 24, 16, 0);
        assert_eq!(treviso.add(friday, 120), rome(2026, 4, 28, 10, 0));
        assert_eq!(
            Schedule::default().add(friday, 120),
            rome(2026, 4, 27, 10, 0)
        );
    }

    #[test]
    fn daylight_saving_time_changes_no_working_hour() {
        let s = Schedule::default();
        // Clocks go forward on Sunday 29 March 2026: 16:00 is 15:00 UTC, 10:00 is 08:00 UTC.
        let friday = rome(2026, 3, 27, 16, 0);
        let monday = rome(2026, 3, 30, 10, 0);
        assert_eq!(s.add(friday, 120), monday);
        assert_eq!(monday.format("%H:%M").to_string(), "08:00");
    }

    #[test]
    fn standing_turns_at_risk_in_the_last_quarter_then_breached() {
        let s = Schedule::default();
        let opened = rome(2026, 11, 23, 9, 0);
        let due = s.add(opened, 8 * 60); // Tuesday 10:00
        assert_eq!(due, rome(2026, 11, 24, 10, 0));
        assert_eq!(
            s.standing(opened, due, rome(2026, 11, 23, 15, 0)),
            Standing::OnTime
        );
        // Two hours of eight left.
        assert_eq!(
            s.standing(opened, due, rome(2026, 11, 23, 16, 0)),
            Standing::AtRisk
        );
        // Overnight nothing passes, but the quarter is already spent.
        assert_eq!(
            s.standing(opened, due, rome(2026, 11, 24, 8, 0)),
            Standing::AtRisk
        );
        assert_eq!(s.standing(opened, due, due), Standing::Breached);
    }

    #[test]
    fn working_hours_are_read_and_checked() {
        assert_eq!(
            parse_day("09:00-13:00, 14:00-17:00").unwrap(),
            vec![(at(9, 0), at(13, 0)), (at(14, 0), at(17, 0))]
        );
        assert_eq!(parse_day("  ").unwrap(), vec![]);
        assert_eq!(format_day(&parse_day("9:00-13:00").unwrap()), "09:00-13:00");
        assert!(parse_day("9-13").unwrap_err().contains("non è un orario"));
        assert!(
            parse_day("dalle nove")
                .unwrap_err()
                .contains("fascia oraria")
        );

        let mut week = Schedule::default().week().clone();
        week[0] = parse_day("14:00-17:00, 09:00-13:00").unwrap();
        assert!(
            Schedule::new(Rome, week, None)
                .unwrap_err()
                .contains("Lunedì")
        );
        let mut week: [Vec<Interval>; 7] = Default::default();
        assert!(Schedule::new(Rome, week.clone(), None).is_err());
        week[2] = parse_day("13:00-09:00").unwrap();
        assert!(
            Schedule::new(Rome, week, None)
                .unwrap_err()
                .contains("Mercoledì")
        );

        assert_eq!(parse_patron("").unwrap(), None);
        assert_eq!(parse_patron("15/02").unwrap(), Some((2, 15)));
        assert!(parse_patron("31/02").is_err());
        assert!(parse_patron("San Liberale").is_err());
    }
}
