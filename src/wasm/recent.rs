//! What a few recent options texts were read as, so that options passed again and again (the
//! usual case: one options object per application, or one per default region) are read once.
//! The key is the options' JSON text, so a mutated options object is read again.

use crate::engine::error::{FieldProblem, PhoneError};

/// How many options texts are remembered.
const RECENT: usize = 8;

/// Options texts and what was read from them, most recent first.
pub(super) struct Recent<T> {
    entries: Vec<(String, T)>,
}

impl<T> Recent<T> {
    pub(super) const fn new() -> Self {
        Recent { entries: Vec::new() }
    }

    /// What `text` reads as: remembered, or read by `read` and remembered. An error is not
    /// remembered, so bad options fail each time.
    pub(super) fn read(
        &mut self,
        text: String,
        read: impl FnOnce(&serde_json::Value) -> Result<T, PhoneError>,
    ) -> Result<&T, PhoneError> {
        match self.entries.iter().position(|(seen, _)| *seen == text) {
            Some(i) => self.entries.swap(0, i),
            None => {
                let value = serde_json::from_str(&text).map_err(|e| {
                    PhoneError::option("options", FieldProblem::NotJson(e.to_string()))
                })?;
                let read = read(&value)?;
                self.entries.truncate(RECENT - 1);
                self.entries.insert(0, (text, read));
            }
        }
        match self.entries.first() {
            Some((_, read)) => Ok(read),
            None => Err(PhoneError::option("options", FieldProblem::Missing)),
        }
    }
}
