//! Get-phone: the phone as stored, never its code.

use super::auth::Need;
use super::code::RandomSource;
use super::decide::authorized;
use super::error::PhoneError;
use super::record::UserRecord;
use super::reply::{Details, PhoneReply, PhoneView};
use super::request::GetPhone;
use super::{Context, Decision, Needs, Operation};

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
