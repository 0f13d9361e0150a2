//! What the calls answer (SPEC §1 and §6), as serde types: the bindings hand them to JS with
//! serde-wasm-bindgen and HTTP writes them with serde_json, so both give the same fields.

use serde::{Serialize, Serializer};

use super::code::ClearCode;
use super::phone::PhoneNumber;
use super::record::{PhoneState, Sequence, UserRecord};
use super::time::Timestamp;

/// `details` of every reply: `{sequence: "7", changeDate, resourceOwner}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    /// The user's sequence after the call; a decimal string, as protobuf JSON writes uint64.
    #[serde(serialize_with = "decimal_string")]
    pub sequence: Sequence,
    /// When the user last changed.
    pub change_date: Timestamp,
    /// The user's organisation.
    pub resource_owner: String,
}

impl Details {
    /// The details of a user as stored (for calls that change nothing).
    pub(crate) fn current(user: &UserRecord, now: Timestamp) -> Details {
        Details {
            sequence: user.sequence,
            change_date: user.change_date.unwrap_or(now),
            resource_owner: user.resource_owner.clone(),
        }
    }
}

fn decimal_string<S: Serializer>(sequence: &Sequence, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&sequence.value())
}

/// Reply of set-phone and resend: details, and the code in `returnCode` mode.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeReply {
    /// The user after the call.
    pub details: Details,
    /// The new code, only in `returnCode` mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_code: Option<ClearCode>,
}

/// Reply of verify and remove.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct DetailsReply {
    /// The user after the call.
    pub details: Details,
}

/// Reply of get-phone: `{details, phone: {number, isVerified} | null}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct PhoneReply {
    /// The user as stored.
    pub details: Details,
    /// The phone, if the user has one.
    pub phone: Option<PhoneView>,
}

/// A phone as get-phone shows it: never its code.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneView {
    /// E.164 number.
    pub number: String,
    /// Whether it is verified.
    pub is_verified: bool,
}

impl PhoneView {
    /// The stored phone as shown, or `None` without one.
    pub(crate) fn of(phone: &PhoneState) -> Option<PhoneView> {
        match phone {
            PhoneState::Absent => None,
            PhoneState::Unverified { number, .. } => {
                Some(PhoneView { number: number.clone(), is_verified: false })
            }
            PhoneState::Verified { number } => {
                Some(PhoneView { number: number.clone(), is_verified: true })
            }
        }
    }
}

/// The reply of any of the five calls, so one driver serves them all (see
/// [`Erased`](super::Erased)); serialises as the reply it holds.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(untagged)]
pub enum Reply {
    /// Set-phone, resend.
    Code(CodeReply),
    /// Verify, remove.
    Details(DetailsReply),
    /// Get-phone.
    Phone(PhoneReply),
    /// Set, verify and resend on ZITADEL's v3alpha resource routes.
    Resource(ResourceReply),
}

/// A reply of ZITADEL's v3alpha resource API (`zitadel.resources.user.v3alpha`):
/// `{details: {id, changed, owner: {type, id}}, verificationCode?}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceReply {
    /// Which user changed, when, and its organisation.
    pub details: ResourceDetails,
    /// The new code, only in `returnCode` mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_code: Option<ClearCode>,
}

/// `zitadel.resources.object.v3alpha.Details` of a change: `created` is set only on creation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct ResourceDetails {
    /// The user's id.
    pub id: String,
    /// When the user last changed.
    pub changed: Timestamp,
    /// The owning organisation.
    pub owner: Owner,
}

/// `zitadel.object.v3alpha.Owner`: a user belongs to an organisation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct Owner {
    /// Always `OWNER_TYPE_ORG`, as protobuf JSON writes the enum.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The organisation's id.
    pub id: String,
}

impl ResourceReply {
    /// `reply` of user `user_id` in the resource API's shape.
    pub fn of(user_id: &str, reply: Reply) -> ResourceReply {
        let (details, verification_code) = match reply {
            Reply::Code(CodeReply { details, verification_code }) => (details, verification_code),
            Reply::Details(DetailsReply { details }) | Reply::Phone(PhoneReply { details, .. }) => {
                (details, None)
            }
            Reply::Resource(reply) => return reply,
        };
        let owner = Owner { kind: "OWNER_TYPE_ORG", id: details.resource_owner };
        let details =
            ResourceDetails { id: user_id.to_owned(), changed: details.change_date, owner };
        ResourceReply { details, verification_code }
    }
}

impl From<CodeReply> for Reply {
    fn from(reply: CodeReply) -> Reply {
        Reply::Code(reply)
    }
}

impl From<DetailsReply> for Reply {
    fn from(reply: DetailsReply) -> Reply {
        Reply::Details(reply)
    }
}

impl From<PhoneReply> for Reply {
    fn from(reply: PhoneReply) -> Reply {
        Reply::Phone(reply)
    }
}

/// `normalizePhone`'s reply: `{e164, region, type, valid, possible, countryCode,
/// nationalNumber}`.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NormalizedPhone<'a> {
    /// `+41791234567`.
    pub e164: &'a str,
    /// ISO 3166 alpha-2, or `001` for non-geographic numbers.
    pub region: &'a str,
    /// `mobile`, `fixedLine`, … or `unknown`.
    #[serde(rename = "type")]
    pub number_type: &'a str,
    /// Whether the number is valid for its region.
    pub valid: bool,
    /// Whether its length is possible for its region.
    pub possible: bool,
    /// The calling code, e.g. 41.
    pub country_code: u16,
    /// The national significant number, e.g. `791234567`.
    pub national_number: &'a str,
}

impl<'a> From<&'a PhoneNumber> for NormalizedPhone<'a> {
    fn from(number: &'a PhoneNumber) -> NormalizedPhone<'a> {
        NormalizedPhone {
            e164: number.e164().as_str(),
            region: number.region().as_str(),
            number_type: number.number_type().as_str(),
            valid: number.is_valid(),
            possible: number.is_possible(),
            country_code: number.country_code(),
            national_number: number.national_number(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn details_write_the_sequence_as_a_string() {
        let details = Details {
            sequence: Sequence::new(7).unwrap(),
            change_date: Timestamp::from_millis(0).unwrap(),
            resource_owner: "org1".into(),
        };
        let reply = Reply::from(CodeReply { details, verification_code: None });
        assert_eq!(
            serde_json::to_value(&reply).unwrap(),
            json!({"details": {"sequence": "7", "changeDate": "1970-01-01T00:00:00.000Z",
                               "resourceOwner": "org1"}})
        );
    }
}
