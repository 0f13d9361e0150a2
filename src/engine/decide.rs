//! The steps the operations share: who may act on the user (checks 3 and 4 of SPEC §2), how a
//! change becomes a save with its events, and how a new code is issued.

use super::auth::Need;
use super::code::{self, ClearCode, CodeHash, RandomSource};
use super::error::{Callback, PhoneError};
use super::event::{Effect, EventKind, PhoneEvent, SmsMessage};
use super::limits::{self, Reservation};
use super::record::{PendingCode, PhoneState, UserKind, UserRecord, UserState};
use super::reply::{CodeReply, Details};
use super::request::Delivery;
use super::time::Timestamp;
use super::{Context, Decision, Save};

/// Checks 3 and 4 of SPEC §2: a human user that is neither deleted nor (for calls that change
/// it) still initial, and a caller allowed to `need` on it.
pub(super) fn authorized<'a>(
    stored: Option<&'a UserRecord>,
    ctx: &Context<'_>,
    need: Need,
) -> Result<&'a UserRecord, PhoneError> {
    // Reading changes nothing, so it is allowed on users still in state `initial`.
    let allow_initial = need == Need::SelfOrRead;
    let user = match stored {
        None => return Err(PhoneError::UserNotFound),
        Some(user) if user.kind == UserKind::Machine || user.state == UserState::Deleted => {
            return Err(PhoneError::UserNotFound)
        }
        Some(user) if user.state == UserState::Initial && !allow_initial => {
            return Err(PhoneError::UserNotReady)
        }
        Some(user) => user,
    };
    ctx.options.caller()?.require(need, user)?;
    Ok(user)
}

/// What a new code needs of the caller: returning it to the user itself proves nothing about
/// the number, so that needs `user.write` unless `allowSelfReturnCode` is set (SPEC §2.4).
pub(super) fn code_need(delivery: Delivery, ctx: &Context<'_>) -> Need {
    match delivery {
        Delivery::Return if !ctx.options.allow_self_return_code => Need::Write,
        Delivery::Send | Delivery::Return => Need::SelfOrWrite,
    }
}

/// The save that moves `user` to `phone`, with one event per kind, and the details after it.
pub(super) fn change(
    user: &UserRecord,
    phone: PhoneState,
    kinds: Vec<EventKind>,
    now: Timestamp,
) -> Result<(Save, Details), PhoneError> {
    let mut sequence = user.sequence;
    let mut events = Vec::with_capacity(kinds.len());
    for kind in kinds {
        sequence = sequence.next().ok_or_else(|| {
            PhoneError::storage(Callback::LoadUser, "returned a sequence too large to grow")
        })?;
        events.push(PhoneEvent { kind, sequence, created_at: now });
    }
    let record = UserRecord { sequence, change_date: Some(now), phone, ..user.clone() };
    let details =
        Details { sequence, change_date: now, resource_owner: user.resource_owner.clone() };
    Ok((Save { record, expected: user.sequence, events }, details))
}

/// A fresh code for `user` and `number`: the clear code, its pending state and the SMS that
/// would carry it.
fn issue_code(
    user: &UserRecord,
    number: &str,
    ctx: &Context<'_>,
    random: &mut dyn RandomSource,
) -> Result<(ClearCode, PendingCode, SmsMessage), PhoneError> {
    let options = ctx.options;
    let code = code::generate(&options.code.alphabet, options.code.length, random)?;
    let expires_at = ctx.now.plus_seconds(options.code.expires_in_seconds);
    let pending = PendingCode {
        hash: CodeHash::of(options.code_secret()?, &user.user_id, number, &code),
        created_at: ctx.now,
        expires_at,
        failed_attempts: 0,
    };
    let sms = SmsMessage {
        to: number.to_owned(),
        code: code.as_str().to_owned(),
        text: options.sms_template.render(code.as_str()),
        user_id: user.user_id.clone(),
        resource_owner: user.resource_owner.clone(),
        expires_at,
    };
    Ok((code, pending, sms))
}

/// The save, effects and reply of a new code: `events_before` then `code.added`; the SMS only
/// when sending, the code in the reply only when returning.
pub(super) fn with_new_code(
    user: &UserRecord,
    number: &str,
    delivery: Delivery,
    events_before: Vec<EventKind>,
    ctx: &Context<'_>,
    random: &mut dyn RandomSource,
) -> Result<Decision<CodeReply>, PhoneError> {
    let sms_log = match delivery {
        Delivery::Send => {
            Some(limits::log_send(&user.sms_log, number, ctx.now, &ctx.options.send_limit)?)
        }
        Delivery::Return => None,
    };
    let (code, pending, sms) = issue_code(user, number, ctx, random)?;
    let mut kinds = events_before;
    kinds.push(EventKind::CodeAdded {
        expires_at: pending.expires_at,
        code_returned: delivery == Delivery::Return,
    });
    let phone = PhoneState::Unverified { number: number.to_owned(), code: Some(pending) };
    let (mut save, details) = change(user, phone, kinds, ctx.now)?;
    if let Some(log) = sms_log {
        save.record.sms_log = log;
    }
    let (reserve, effects, verification_code) = match delivery {
        Delivery::Send => {
            let limit = &ctx.options.send_limit;
            let reservation = Reservation {
                to: number.to_owned(),
                user_id: user.user_id.clone(),
                at: ctx.now,
                limit: limit.per_number,
                window_seconds: limit.window_seconds,
            };
            (Some(reservation), vec![Effect::SendSms(sms)], None)
        }
        Delivery::Return => (None, Vec::new(), Some(code)),
    };
    Ok(Decision {
        reserve,
        save: Some(save),
        effects,
        outcome: Ok(CodeReply { details, verification_code }),
    })
}
