//! Who is calling, and what they may do to a user.

use serde::Deserialize;
use serde_json::Value;

use super::error::{Callback, PhoneError};
use super::read::{read, Blame, List, Text};
use super::record::{UserRecord, UserState};

/// The authenticated caller (`options.caller`).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Caller {
    /// The caller's own user id, if the caller is a user.
    pub user_id: Option<String>,
    /// Granted permissions: `user.write`, `user.write:<orgId>`, `user.read`, `user.read:<orgId>`.
    pub permissions: Vec<String>,
}

/// What a call needs from the caller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Need {
    /// The caller is the user (an active one: locked and inactive users lose self-service),
    /// or holds `user.write` on the user's organisation.
    SelfOrWrite,
    /// `user.write` on the user's organisation, even for the user itself.
    Write,
    /// The caller is the user (in any state), or holds `user.read` or `user.write` on the
    /// organisation.
    SelfOrRead,
}

/// `options.caller`: unknown keys are typos here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase", expecting = "an object")]
pub(crate) struct CallerOption {
    #[serde(alias = "user_id")]
    user_id: Option<Text<1, 200>>,
    permissions: Option<List<Text<1, 300>>>,
}

impl CallerOption {
    pub(crate) fn into_caller(self) -> Caller {
        Caller::new(self.user_id, self.permissions)
    }
}

/// What `authenticate` returns: an identity provider's principal may carry more (name,
/// email), so other keys are allowed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", expecting = "an object")]
struct AuthenticatedCaller {
    #[serde(alias = "user_id")]
    user_id: Option<Text<1, 200>>,
    permissions: Option<List<Text<1, 300>>>,
}

impl Caller {
    fn new(user_id: Option<Text<1, 200>>, permissions: Option<List<Text<1, 300>>>) -> Caller {
        Caller {
            user_id: user_id.map(|Text(id)| id),
            permissions: permissions
                .map_or_else(Vec::new, |List(list)| list.into_iter().map(|Text(p)| p).collect()),
        }
    }

    /// Parses the caller that the host's `authenticate` callback returned.
    pub fn from_authenticate(value: &Value) -> Result<Caller, PhoneError> {
        let caller: AuthenticatedCaller =
            read(value, "", Blame::Storage(Callback::Authenticate), &[])?;
        Ok(Caller::new(caller.user_id, caller.permissions))
    }

    /// Allows the call or fails with PermissionDenied.
    pub fn require(&self, need: Need, user: &UserRecord) -> Result<(), PhoneError> {
        let is_self = self.user_id.as_deref() == Some(user.user_id.as_str())
            && (need == Need::SelfOrRead || user.state == UserState::Active);
        let org = user.resource_owner.as_str();
        let allowed = match need {
            Need::SelfOrWrite => is_self || self.holds("user.write", org),
            Need::Write => self.holds("user.write", org),
            Need::SelfOrRead => {
                is_self || self.holds("user.read", org) || self.holds("user.write", org)
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(PhoneError::PermissionDenied)
        }
    }

    /// Whether the caller holds `permission` for all organisations or for `org`.
    fn holds(&self, permission: &str, org: &str) -> bool {
        self.permissions.iter().any(|granted| match granted.strip_prefix(permission) {
            Some("") => true,
            Some(scoped) => scoped.strip_prefix(':') == Some(org),
            None => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> UserRecord {
        UserRecord::from_json(
            &json!({"userId": "u1", "resourceOwner": "org1", "sequence": 1}),
            "u1",
            Callback::LoadUser,
        )
        .unwrap()
    }

    fn caller(user_id: Option<&str>, permissions: &[&str]) -> Caller {
        Caller {
            user_id: user_id.map(str::to_owned),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn permission_table() {
        let cases: &[(Option<&str>, &[&str], Need, bool)] = &[
            (Some("u1"), &[], Need::SelfOrWrite, true),
            (Some("u1"), &[], Need::Write, false),
            (Some("u1"), &[], Need::SelfOrRead, true),
            (Some("u2"), &[], Need::SelfOrWrite, false),
            (Some("u2"), &["user.write"], Need::Write, true),
            (Some("u2"), &["user.write:org1"], Need::Write, true),
            (Some("u2"), &["user.write:org2"], Need::Write, false),
            (Some("u2"), &["user.write:org1x"], Need::Write, false),
            (Some("u2"), &["user.writer"], Need::Write, false),
            (Some("u2"), &["user.read"], Need::SelfOrWrite, false),
            (Some("u2"), &["user.read:org1"], Need::SelfOrRead, true),
            (Some("u2"), &["user.write:org1"], Need::SelfOrRead, true),
            (None, &["user.write"], Need::SelfOrWrite, true),
            (None, &[], Need::SelfOrRead, false),
        ];
        for &(id, perms, need, allowed) in cases {
            let result = caller(id, perms).require(need, &user());
            assert_eq!(result.is_ok(), allowed, "{id:?} {perms:?} {need:?}");
            if !allowed {
                assert_eq!(result, Err(PhoneError::PermissionDenied));
            }
        }
    }

    #[test]
    fn locked_and_inactive_users_read_but_do_not_change_their_own_phone() {
        for state in ["locked", "inactive"] {
            let user = UserRecord::from_json(
                &json!({"userId": "u1", "resourceOwner": "org1", "sequence": 1, "state": state}),
                "u1",
                Callback::LoadUser,
            )
            .unwrap();
            let me = caller(Some("u1"), &[]);
            assert_eq!(me.require(Need::SelfOrWrite, &user), Err(PhoneError::PermissionDenied));
            assert_eq!(me.require(Need::SelfOrRead, &user), Ok(()));
            let admin = caller(Some("u2"), &["user.write:org1"]);
            assert_eq!(admin.require(Need::SelfOrWrite, &user), Ok(()));
        }
    }

    #[test]
    fn parses_the_caller_option_and_the_authenticated_caller() {
        let option = |value| {
            read::<CallerOption>(&value, "caller", Blame::Options, &[])
                .map(CallerOption::into_caller)
        };
        let c = option(json!({"userId": "u1", "permissions": ["user.read"]})).unwrap();
        assert_eq!(c, caller(Some("u1"), &["user.read"]));
        assert_eq!(option(json!({})).unwrap(), Caller::default());
        let err = option(json!({"permissions": "user.write"})).unwrap_err();
        assert_eq!(err.id(), "CONFIG-invalid");
        assert_eq!(
            err.message(),
            "Options are invalid: caller.permissions must be an array of strings"
        );
        assert_eq!(option(json!({"name": "x"})).unwrap_err().id(), "CONFIG-invalid");
        let c = Caller::from_authenticate(&json!({"user_id": "u1", "name": "Ada"})).unwrap();
        assert_eq!(c, caller(Some("u1"), &[]));
        let err = Caller::from_authenticate(&json!({"permissions": [""]})).unwrap_err();
        assert_eq!(
            err.message(),
            "Host callback authenticate failed: returned a caller whose permissions[0] must be 1 \
             to 300 characters long"
        );
    }
}
