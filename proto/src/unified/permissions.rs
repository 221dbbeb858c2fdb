//! Who is a master or an admin of a bot: configuration, not platform data.

use serde::{Deserialize, Deserializer, Serialize};

/// The master and admin ids of one bot (Karin's `master` / `admin` lists).
///
/// Ids are compared as strings, exactly as they appear in [`Event::user_id`](super::Event).
/// A master is also an admin. Deserialised, an id may be a string or a number (a QQ account
/// written as `123456789` in a config file is the id `"123456789"`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Permissions {
    /// Master ids (主人).
    #[serde(deserialize_with = "ids")]
    pub masters: Vec<String>,
    /// Admin ids (管理员); masters need not be repeated here.
    #[serde(deserialize_with = "ids")]
    pub admins: Vec<String>,
}

/// A list of ids, each a string or a number: events carry OneBot / Bubble ids in decimal, so a
/// number read here must compare equal to them, not fail the whole configuration.
fn ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Id(#[serde(deserialize_with = "crate::de::string")] String);
    Ok(Vec::<Id>::deserialize(d)?
        .into_iter()
        .map(|i| i.0)
        .collect())
}

impl Permissions {
    /// Masters and admins from any string-like ids.
    pub fn new<M, A>(masters: M, admins: A) -> Self
    where
        M: IntoIterator,
        M::Item: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        Self {
            masters: masters.into_iter().map(Into::into).collect(),
            admins: admins.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether there are no masters and no admins (nobody is either).
    pub fn is_empty(&self) -> bool {
        self.masters.is_empty() && self.admins.is_empty()
    }

    /// Whether `user_id` is a master. An empty id never is.
    pub fn is_master(&self, user_id: &str) -> bool {
        !user_id.is_empty() && self.masters.iter().any(|m| m == user_id)
    }

    /// Whether `user_id` is an admin or a master. An empty id never is.
    pub fn is_admin(&self, user_id: &str) -> bool {
        self.is_master(user_id) || (!user_id.is_empty() && self.admins.iter().any(|a| a == user_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_master_is_an_admin_and_an_admin_is_not_a_master() {
        let p = Permissions::new(["1"], ["2"]);
        assert!(p.is_master("1") && p.is_admin("1"));
        assert!(!p.is_master("2") && p.is_admin("2"));
        assert!(!p.is_master("3") && !p.is_admin("3"));
        assert!(
            !Permissions::new([""], [""]).is_admin(""),
            "empty ids never match"
        );
        assert!(Permissions::default().is_empty() && !p.is_empty());
        assert!(!Permissions::new(Vec::<String>::new(), ["2"]).is_empty());
    }
}
