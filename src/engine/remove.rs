//! Remove-phone.

use super::auth::Need;
use super::code::RandomSource;
use super::decide::{authorized, change};
use super::error::PhoneError;
use super::event::EventKind;
use super::record::{PhoneState, UserRecord};
use super::reply::DetailsReply;
use super::request::RemovePhone;
use super::{Context, Decision, Needs, Operation};

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
