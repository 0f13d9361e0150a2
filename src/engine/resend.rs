//! Resend-code: a new code for the pending phone, after the cooldown.

use super::code::RandomSource;
use super::decide::{authorized, code_need, with_new_code};
use super::error::PhoneError;
use super::limits;
use super::record::{PhoneState, UserRecord};
use super::reply::CodeReply;
use super::request::{Delivery, ResendCode};
use super::{Context, Decision, Needs, Operation};

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
        let user = authorized(stored, ctx, code_need(self.delivery, ctx))?;
        let PhoneState::Unverified { number, code: Some(pending) } = &user.phone else {
            return Err(PhoneError::NothingToResend);
        };
        limits::check_cooldown(pending.created_at, ctx.now, ctx.options.resend_cooldown_seconds)?;
        with_new_code(user, number, self.delivery, Vec::new(), ctx, random)
    }
}
