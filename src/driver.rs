//! The only code that awaits: load → decide → compare-and-swap save (with retries) → effects.
//!
//! Written once against [`Host`]; the wasm bindings implement it over the JS host object and
//! the tests implement it in memory, as `quinn` drives `quinn-proto`.

use crate::engine::code::RandomSource;
use crate::engine::error::PhoneError;
use crate::engine::event::{Effect, SmsMessage};
use crate::engine::record::UserRecord;
use crate::engine::{Context, Operation, Save};

/// How often a lost compare-and-swap is retried (reload, decide again) before Aborted.
pub const MAX_RETRIES: usize = 3;

/// Storage and SMS, provided by the embedding application.
///
/// Hosts run on one thread (wasm, or a test executor), so the futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait Host {
    /// The stored record of `user_id`, or `None` if there is no such user.
    async fn load_user(&self, user_id: &str) -> Result<Option<UserRecord>, PhoneError>;
    /// Stores `save.record` if the stored sequence still equals `save.expected`; `false` when
    /// another writer won.
    async fn save_user(&self, save: &Save) -> Result<bool, PhoneError>;
    /// Sends an SMS.
    async fn send_sms(&self, message: &SmsMessage) -> Result<(), PhoneError>;
}

/// Runs `operation` against `host`.
///
/// The SMS goes out only after the save succeeded: a failed SMS can be resent, while a code
/// that was sent but never stored could not be verified.
pub async fn run<H: Host, O: Operation>(
    host: &H,
    operation: &O,
    ctx: &Context<'_>,
    random: &mut dyn RandomSource,
) -> Result<O::Reply, PhoneError> {
    for _ in 0..=MAX_RETRIES {
        let stored = host.load_user(operation.user_id()).await?;
        let decision = operation.decide(stored.as_ref(), ctx, random)?;
        if let Some(save) = &decision.save {
            if !host.save_user(save).await? {
                continue;
            }
        }
        for effect in &decision.effects {
            match effect {
                Effect::SendSms(message) => host.send_sms(message).await?,
            }
        }
        return decision.outcome;
    }
    Err(PhoneError::Conflict)
}
