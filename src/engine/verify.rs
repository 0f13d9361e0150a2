//! Verify-phone: the pending code, checked in constant time; a wrong code is saved as a failed
//! attempt.

use super::auth::Need;
use super::code::RandomSource;
use super::decide::{authorized, change};
use super::error::PhoneError;
use super::event::EventKind;
use super::record::{PendingCode, PhoneState, UserRecord};
use super::reply::DetailsReply;
use super::request::VerifyPhone;
use super::{Context, Decision, Needs, Operation};

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
