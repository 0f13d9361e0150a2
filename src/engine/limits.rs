//! Abuse limits on new codes: the resend cooldown, and SMS send limits per number and per user
//! within a sliding window (against SMS pumping and code flooding). The attempt lockout lives
//! with the code it protects, in verify.

use serde::Serialize;

use super::error::PhoneError;
use super::time::Timestamp;

/// Most entries kept in a user's SMS log; the oldest go first.
pub const MAX_LOG: usize = 100;

/// How many SMS a window allows (`options.sendLimit`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SendLimit {
    /// SMS to one number within the window, whichever user asked (default 5).
    pub per_number: u32,
    /// SMS for one user within the window, to any numbers (default 10).
    pub per_user: u32,
    /// The sliding window (default 3600 s).
    pub window_seconds: u64,
}

impl Default for SendLimit {
    fn default() -> Self {
        SendLimit { per_number: 5, per_user: 10, window_seconds: 3600 }
    }
}

/// One SMS sent for the user, kept in the record's `smsLog` as `{to, at}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct SmsSent {
    /// E.164 recipient.
    pub to: String,
    /// When it was sent.
    pub at: Timestamp,
}

/// A request to the host's shared counter (`reserveSms`) for one SMS to `to`: the per-number
/// limit across all users, which one user's record cannot hold.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reservation {
    /// E.164 recipient.
    pub to: String,
    /// The user the SMS is for.
    pub user_id: String,
    /// The time of the call.
    pub at: Timestamp,
    /// SMS to `to` allowed within the window (`sendLimit.perNumber`).
    pub limit: u32,
    /// The sliding window (`sendLimit.windowSeconds`).
    pub window_seconds: u64,
}

/// Fails with `PHONE-throttled` while the last code is younger than the cooldown.
pub fn check_cooldown(
    issued_at: Timestamp,
    now: Timestamp,
    cooldown_seconds: u64,
) -> Result<(), PhoneError> {
    let ready_at = issued_at.plus_seconds(cooldown_seconds);
    if now < ready_at {
        return Err(PhoneError::Throttled { retry_after_seconds: seconds_until(now, ready_at) });
    }
    Ok(())
}

/// The log after one more SMS to `to` at `now`, or `PHONE-throttled` (with the time until the
/// window frees a slot) if the number or the user has had its share of the window.
///
/// The window ends at the later of `now` and the newest entry, and the new entry is dated at
/// that end: a clock that steps back (a skewed host, a replayed `now`) frees nothing, since
/// entries dated after `now` still count and the window never moves backwards.
pub fn log_send(
    log: &[SmsSent],
    to: &str,
    now: Timestamp,
    limit: &SendLimit,
) -> Result<Vec<SmsSent>, PhoneError> {
    let end = log.iter().map(|s| s.at).fold(now, Timestamp::max);
    let window_millis =
        i64::try_from(limit.window_seconds).unwrap_or(i64::MAX).saturating_mul(1000);
    let window_start =
        Timestamp::from_millis(end.millis().saturating_sub(window_millis)).unwrap_or(end);
    let mut recent = by_time(log.iter().filter(|s| s.at > window_start).cloned().collect());
    let to_number: Vec<&SmsSent> = recent.iter().filter(|s| s.to == to).collect();
    let full = [(to_number, limit.per_number), (recent.iter().collect(), limit.per_user)]
        .into_iter()
        .filter_map(|(sent, max)| {
            let max = usize::try_from(max).unwrap_or(usize::MAX);
            // The oldest SMS that must leave the window before another fits.
            (sent.len() >= max).then(|| sent.get(sent.len() - max).map(|s| s.at)).flatten()
        })
        .max();
    if let Some(oldest) = full {
        let frees_at = oldest.plus_seconds(limit.window_seconds);
        return Err(PhoneError::Throttled { retry_after_seconds: seconds_until(end, frees_at) });
    }
    recent.push(SmsSent { to: to.to_owned(), at: end });
    let excess = recent.len().saturating_sub(MAX_LOG);
    recent.drain(..excess);
    Ok(recent)
}

/// The entries oldest first, in their order among equal times: a merge sort, since the log
/// written by the library is already sorted and core's sorts add 7 KB of wasm; a host's log
/// of any length still sorts in n log n.
fn by_time(mut items: Vec<SmsSent>) -> Vec<SmsSent> {
    if items.len() < 2 {
        return items;
    }
    let right = by_time(items.split_off(items.len() / 2));
    let left = by_time(items);
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let (mut left, mut right) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        let from_left = match (left.peek(), right.peek()) {
            (Some(l), Some(r)) => l.at <= r.at,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return merged,
        };
        merged.extend(if from_left { left.next() } else { right.next() });
    }
}

/// Whole seconds from `now` until `then`, rounded up, at least 1.
fn seconds_until(now: Timestamp, then: Timestamp) -> u64 {
    let millis = then.millis().saturating_sub(now.millis()).max(1);
    u64::try_from(millis.saturating_add(999) / 1000).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_millis(1_795_867_200_000 + seconds * 1000).unwrap()
    }

    fn sent(to: &str, seconds: i64) -> SmsSent {
        SmsSent { to: to.into(), at: at(seconds) }
    }

    #[test]
    fn cooldown_counts_from_the_last_code() {
        assert_eq!(
            check_cooldown(at(0), at(10), 30),
            Err(PhoneError::Throttled { retry_after_seconds: 20 })
        );
        assert_eq!(check_cooldown(at(0), at(30), 30), Ok(()));
        assert_eq!(check_cooldown(at(0), at(0), 0), Ok(()));
    }

    #[test]
    fn five_per_number_per_hour_by_default() {
        let limit = SendLimit::default();
        let mut log = Vec::new();
        for i in 0..5 {
            log = log_send(&log, "+41791234567", at(i * 60), &limit).unwrap();
        }
        assert_eq!(log.len(), 5);
        // The sixth waits until the first leaves the window: 3600 s after it, 240 s after the fifth.
        assert_eq!(
            log_send(&log, "+41791234567", at(240), &limit),
            Err(PhoneError::Throttled { retry_after_seconds: 3360 })
        );
        assert!(log_send(&log, "+41791234567", at(3600), &limit).is_ok());
        // Another number still has room.
        assert!(log_send(&log, "+41797654321", at(240), &limit).is_ok());
    }

    #[test]
    fn per_user_limit_spans_numbers_and_old_entries_are_pruned() {
        let limit = SendLimit { per_number: 5, per_user: 3, window_seconds: 600 };
        let log = vec![sent("+1", -700), sent("+2", 0), sent("+3", 10), sent("+4", 20)];
        assert_eq!(
            log_send(&log, "+5", at(30), &limit),
            Err(PhoneError::Throttled { retry_after_seconds: 570 })
        );
        let log = log_send(&log, "+5", at(600), &limit).unwrap();
        assert_eq!(log, vec![sent("+3", 10), sent("+4", 20), sent("+5", 600)]);
    }

    #[test]
    fn a_clock_that_steps_back_frees_nothing() {
        let limit = SendLimit { per_number: 5, per_user: 3, window_seconds: 600 };
        let mut log = Vec::new();
        // Each call's clock is a minute earlier than the last; the entries keep the window's end.
        for i in 0..3 {
            log = log_send(&log, &format!("+{i}"), at(-60 * i), &limit).unwrap();
        }
        assert_eq!(log, vec![sent("+0", 0), sent("+1", 0), sent("+2", 0)]);
        assert_eq!(
            log_send(&log, "+3", at(-3600), &limit),
            Err(PhoneError::Throttled { retry_after_seconds: 600 })
        );
        // Entries dated after now count too; the window frees 600 s after the future entry.
        let future = vec![sent("+1", 100), sent("+2", 200), sent("+3", 300)];
        assert_eq!(
            log_send(&future, "+4", at(0), &limit),
            Err(PhoneError::Throttled { retry_after_seconds: 400 })
        );
        assert_eq!(log_send(&future, "+4", at(700), &limit).unwrap().len(), 3);
    }

    #[test]
    fn a_host_log_in_any_order_is_sorted_stably() {
        let limit = SendLimit { per_number: 1000, per_user: 1000, window_seconds: 86_400 };
        let log =
            vec![sent("+3", 30), sent("+1", 10), sent("+2a", 20), sent("+0", 0), sent("+2b", 20)];
        let log = log_send(&log, "+4", at(40), &limit).unwrap();
        let order: Vec<&str> = log.iter().map(|s| s.to.as_str()).collect();
        assert_eq!(order, ["+0", "+1", "+2a", "+2b", "+3", "+4"]);
    }

    #[test]
    fn the_log_is_capped() {
        let limit = SendLimit { per_number: 1000, per_user: 1000, window_seconds: 86_400 };
        let log: Vec<SmsSent> = (0..MAX_LOG as i64).map(|i| sent(&format!("+{i}"), i)).collect();
        let log = log_send(&log, "+new", at(1000), &limit).unwrap();
        assert_eq!(log.len(), MAX_LOG);
        assert_eq!(log.first(), Some(&sent("+1", 1)));
        assert_eq!(log.last(), Some(&sent("+new", 1000)));
    }
}
