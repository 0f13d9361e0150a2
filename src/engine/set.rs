//! Set-phone (SPEC §1 and §2): the checks in their order, then the new state.

use super::auth::Need;
use super::code::RandomSource;
use super::decide::{authorized, change, code_need, with_new_code};
use super::error::PhoneError;
use super::event::EventKind;
use super::record::{PhoneState, UserRecord};
use super::reply::{CodeReply, Details};
use super::request::{Delivery, SetPhone, VerificationMode};
use super::{parse_phone, Context, Decision, Needs, Operation};

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
            VerificationMode::SendCode => code_need(Delivery::Send, ctx),
            VerificationMode::ReturnCode => code_need(Delivery::Return, ctx),
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
