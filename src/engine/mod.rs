//! The sans-IO engine: pure decisions over the stored record.
//!
//! Each call is an [`Operation`]: parsed from JSON-shaped input ([`request`]), then, given the
//! stored record, a [`Context`] (options and the time) and a [`RandomSource`], it returns a
//! [`Decision`]: the record to save with its events, the effects to run after the save, and
//! the reply. Nothing here awaits, reads a clock or draws randomness itself, so every host
//! gets the same answers and the tests can fix time and randomness.

pub mod auth;
pub mod code;
pub mod error;
pub mod event;
pub mod http;
pub mod limits;
pub mod options;
pub mod phone;
pub(crate) mod read;
pub mod record;
pub mod reply;
pub mod request;
pub mod sms;
pub mod time;

use serde_json::Value;

use self::auth::Need;
use self::code::{ClearCode, CodeHash, RandomSource};
use self::error::PhoneError;
use self::event::{Effect, EventKind, PhoneEvent, SmsMessage};
use self::options::{Options, PhoneRules};
use self::phone::{PhoneNumber, PhoneProblem};
use self::record::{PendingCode, PhoneState, Sequence, UserKind, UserRecord, UserState};
use self::reply::{CodeReply, Details, DetailsReply, PhoneReply, PhoneView, Reply};
use self::request::{
    Delivery, GetPhone, RemovePhone, ResendCode, SetPhone, VerificationMode, VerifyPhone,
};
use self::time::Timestamp;

/// What a decision depends on besides the record and the request.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The call's options (caller, policy).
    pub options: &'a Options,
    /// The time of the call, read once by the host.
    pub now: Timestamp,
}

/// A record to store with compare-and-swap.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Save {
    /// The new record.
    pub record: UserRecord,
    /// The sequence the stored record must still have.
    pub expected: Sequence,
    /// What happened, one event per sequence step.
    pub events: Vec<PhoneEvent>,
}

/// The outcome of one operation on one stored record.
#[derive(Clone, PartialEq, Debug)]
#[must_use]
pub struct Decision<R> {
    /// What to store, if anything changed.
    pub save: Option<Save>,
    /// What to do once the save succeeded.
    pub effects: Vec<Effect>,
    /// The reply, or an error that still comes with a save (a counted wrong code).
    pub outcome: Result<R, PhoneError>,
}

impl<R> Decision<R> {
    fn reply(reply: R) -> Self {
        Decision { save: None, effects: Vec::new(), outcome: Ok(reply) }
    }

    /// A save with no side effects, then `outcome`.
    fn saved(save: Save, outcome: Result<R, PhoneError>) -> Self {
        Decision { save: Some(save), effects: Vec::new(), outcome }
    }
}

/// What a call needs besides the record. It follows from the request alone, so that a missing
/// `codeSecret` or callback is reported before anything is loaded.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Needs {
    /// Issues or checks codes, so needs `codeSecret`.
    pub code_secret: bool,
    /// May save, so needs `saveUser`.
    pub save: bool,
    /// May send an SMS, so needs `sendSms`.
    pub sms: bool,
}

/// A parsed call that can decide on a stored record.
pub trait Operation {
    /// The success reply.
    type Reply: Into<Reply>;
    /// Whose record to load.
    fn user_id(&self) -> &str;
    /// What the call needs.
    fn needs(&self) -> Needs;
    /// Checks 3 onwards of SPEC §2 on the stored record.
    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<Self::Reply>, PhoneError>;
}

/// An operation whose reply is the [`Reply`] of any call.
///
/// The bindings box every call as `Box<dyn Operation<Reply = Reply>>`, so one copy of the
/// driver serves all five calls.
pub struct Erased<O>(pub O);

impl<O: Operation> Operation for Erased<O> {
    type Reply = Reply;

    fn user_id(&self) -> &str {
        self.0.user_id()
    }

    fn needs(&self) -> Needs {
        self.0.needs()
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<Reply>, PhoneError> {
        let decision = self.0.decide(stored, ctx, random)?;
        let outcome = decision.outcome.map(Into::into);
        Ok(Decision { save: decision.save, effects: decision.effects, outcome })
    }
}

impl<O: Operation + ?Sized> Operation for Box<O> {
    type Reply = O::Reply;

    fn user_id(&self) -> &str {
        (**self).user_id()
    }

    fn needs(&self) -> Needs {
        (**self).needs()
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<O::Reply>, PhoneError> {
        (**self).decide(stored, ctx, random)
    }
}

/// Checks the options of a parsed request (check 1 of SPEC §2 is parsing it), then check 2:
/// a misconfiguration such as a missing `codeSecret` is reported before anything is loaded,
/// then a missing caller.
pub fn prepare<O: Operation>(operation: O, options: &Value) -> Result<(O, Options), PhoneError> {
    let options = configure(&operation, options)?;
    options.caller()?;
    Ok((operation, options))
}

/// Reads the options and checks that they suit `operation` (a `codeSecret` for calls with
/// codes), leaving the caller to the host (HTTP authenticates after this).
pub fn configure<O: Operation + ?Sized>(
    operation: &O,
    options: &Value,
) -> Result<Options, PhoneError> {
    let options = Options::from_json(options)?;
    if operation.needs().code_secret {
        options.code_secret()?;
    }
    Ok(options)
}

/// Parses a phone number by the options' rules: default region, validation level and allowed
/// regions and types.
pub fn parse_phone(input: &str, rules: &PhoneRules) -> Result<PhoneNumber, PhoneError> {
    phone::parse(input, &rules.parse_options()).map_err(|problem| match problem {
        PhoneProblem::Empty => PhoneError::PhoneEmpty,
        problem => PhoneError::PhoneInvalid(problem),
    })
}

/// `normalizePhone`: the parsed number (see [`reply::NormalizedPhone`]); an input that is not
/// a string, or a number that fails the options' checks (by default: not valid), is an error
/// that says why.
pub fn normalize_phone(input: &Value, options: &Value) -> Result<PhoneNumber, PhoneError> {
    let input = input.as_str().ok_or_else(|| {
        PhoneError::field("input", error::FieldProblem::WrongType { expected: "a string".into() })
    })?;
    parse_phone(input, &PhoneRules::from_json(options)?)
}

/// Checks 3 and 4 of SPEC §2: a human user that is neither deleted nor (for calls that change
/// it) still initial, and a caller allowed to `need` on it.
fn authorized<'a>(
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

/// The save that moves `user` to `phone`, with one event per kind, and the details after it.
fn change(
    user: &UserRecord,
    phone: PhoneState,
    kinds: Vec<EventKind>,
    now: Timestamp,
) -> Result<(Save, Details), PhoneError> {
    let mut sequence = user.sequence;
    let mut events = Vec::with_capacity(kinds.len());
    for kind in kinds {
        sequence = sequence.next().ok_or_else(|| {
            PhoneError::storage("loadUser", "returned a sequence too large to grow")
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
fn with_new_code(
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
    let (effects, verification_code) = match delivery {
        Delivery::Send => (vec![Effect::SendSms(sms)], None),
        Delivery::Return => (Vec::new(), Some(code)),
    };
    Ok(Decision {
        save: Some(save),
        effects,
        outcome: Ok(CodeReply { details, verification_code }),
    })
}

impl Operation for SetPhone {
    type Reply = CodeReply;

    fn user_id(&self) -> &str {
        &self.user_id
    }

    fn needs(&self) -> Needs {
        Needs {
            code_secret: self.mode != VerificationMode::MarkVerified,
            save: true,
            sms: self.mode == VerificationMode::SendCode,
        }
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<CodeReply>, PhoneError> {
        let need = match self.mode {
            VerificationMode::MarkVerified => Need::Write,
            VerificationMode::SendCode | VerificationMode::ReturnCode => Need::SelfOrWrite,
        };
        let user = authorized(stored, ctx, need)?;
        // Validation level and allowed regions and types come from the options.
        let parsed = parse_phone(&self.number, &ctx.options.phone)?;
        let number = parsed.e164().as_str();
        if user.phone.number() == Some(number) {
            let unverified = matches!(user.phone, PhoneState::Unverified { .. });
            if self.mode == VerificationMode::MarkVerified && unverified {
                let phone = PhoneState::Verified { number: number.to_owned() };
                let (save, details) = change(user, phone, vec![EventKind::PhoneVerified], ctx.now)?;
                let reply = CodeReply { details, verification_code: None };
                return Ok(Decision::saved(save, Ok(reply)));
            }
            // Same number: nothing changes and no new code is issued (ZITADEL's no-op).
            return Ok(Decision::reply(CodeReply {
                details: Details::current(user, ctx.now),
                verification_code: None,
            }));
        }
        let changed = EventKind::PhoneChanged { number: number.to_owned() };
        match self.mode {
            VerificationMode::MarkVerified => {
                let phone = PhoneState::Verified { number: number.to_owned() };
                let (save, details) =
                    change(user, phone, vec![changed, EventKind::PhoneVerified], ctx.now)?;
                let reply = CodeReply { details, verification_code: None };
                Ok(Decision::saved(save, Ok(reply)))
            }
            VerificationMode::SendCode => {
                with_new_code(user, number, Delivery::Send, vec![changed], ctx, random)
            }
            VerificationMode::ReturnCode => {
                with_new_code(user, number, Delivery::Return, vec![changed], ctx, random)
            }
        }
    }
}

impl Operation for VerifyPhone {
    type Reply = DetailsReply;

    fn user_id(&self) -> &str {
        &self.user_id
    }

    fn needs(&self) -> Needs {
        Needs { code_secret: true, save: true, sms: false }
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        _random: &mut dyn RandomSource,
    ) -> Result<Decision<DetailsReply>, PhoneError> {
        let user = authorized(stored, ctx, Need::SelfOrWrite)?;
        let PhoneState::Unverified { number, code: Some(pending) } = &user.phone else {
            return Err(PhoneError::NoPendingCode);
        };
        if pending.failed_attempts >= ctx.options.max_attempts {
            return Err(PhoneError::CodeLocked);
        }
        if ctx.now >= pending.expires_at {
            return Err(PhoneError::CodeExpired);
        }
        let secret = ctx.options.code_secret()?;
        if pending.hash.matches(
            secret,
            &ctx.options.code.alphabet,
            &user.user_id,
            number,
            &self.code,
        ) {
            let phone = PhoneState::Verified { number: number.clone() };
            let (save, details) = change(user, phone, vec![EventKind::PhoneVerified], ctx.now)?;
            return Ok(Decision::saved(save, Ok(DetailsReply { details })));
        }
        // A wrong code is saved as a failed attempt, then reported; the count survives retries
        // and restarts, which makes the lockout hold.
        let failed = PendingCode {
            failed_attempts: pending.failed_attempts.saturating_add(1),
            ..pending.clone()
        };
        let phone = PhoneState::Unverified { number: number.clone(), code: Some(failed) };
        let (save, _) = change(user, phone, vec![EventKind::VerificationFailed], ctx.now)?;
        Ok(Decision::saved(save, Err(PhoneError::CodeInvalid)))
    }
}

impl Operation for ResendCode {
    type Reply = CodeReply;

    fn user_id(&self) -> &str {
        &self.user_id
    }

    fn needs(&self) -> Needs {
        Needs { code_secret: true, save: true, sms: self.delivery == Delivery::Send }
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        random: &mut dyn RandomSource,
    ) -> Result<Decision<CodeReply>, PhoneError> {
        let user = authorized(stored, ctx, Need::SelfOrWrite)?;
        let PhoneState::Unverified { number, code: Some(pending) } = &user.phone else {
            return Err(PhoneError::NothingToResend);
        };
        limits::check_cooldown(pending.created_at, ctx.now, ctx.options.resend_cooldown_seconds)?;
        with_new_code(user, number, self.delivery, Vec::new(), ctx, random)
    }
}

impl Operation for RemovePhone {
    type Reply = DetailsReply;

    fn user_id(&self) -> &str {
        &self.user_id
    }

    fn needs(&self) -> Needs {
        Needs { code_secret: false, save: true, sms: false }
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        _random: &mut dyn RandomSource,
    ) -> Result<Decision<DetailsReply>, PhoneError> {
        let user = authorized(stored, ctx, Need::SelfOrWrite)?;
        if user.phone == PhoneState::Absent {
            return Err(PhoneError::NoPhone);
        }
        let (save, details) =
            change(user, PhoneState::Absent, vec![EventKind::PhoneRemoved], ctx.now)?;
        Ok(Decision::saved(save, Ok(DetailsReply { details })))
    }
}

impl Operation for GetPhone {
    type Reply = PhoneReply;

    fn user_id(&self) -> &str {
        &self.user_id
    }

    fn needs(&self) -> Needs {
        Needs { code_secret: false, save: false, sms: false }
    }

    fn decide(
        &self,
        stored: Option<&UserRecord>,
        ctx: &Context<'_>,
        _random: &mut dyn RandomSource,
    ) -> Result<Decision<PhoneReply>, PhoneError> {
        let user = authorized(stored, ctx, Need::SelfOrRead)?;
        let phone = PhoneView::of(&user.phone);
        Ok(Decision::reply(PhoneReply { details: Details::current(user, ctx.now), phone }))
    }
}
