//! The SMS text: `smsTemplate` with `{{code}}` filled in, checked to fit one GSM-7 SMS.
//!
//! One SMS holds 160 GSM-7 septets. A character outside GSM-7 would switch the whole message
//! to UCS-2 (70 characters), and a longer text would be split into parts, each billed; so a
//! template that could exceed one GSM-7 SMS is rejected when the options are read.

use super::code::Alphabet;

/// The placeholder the code replaces.
pub const PLACEHOLDER: &str = "{{code}}";
/// The default `smsTemplate`.
pub const DEFAULT_TEMPLATE: &str = "Your verification code is {{code}}";
/// Septets in one GSM-7 SMS.
pub const MAX_SEPTETS: usize = 160;

/// A checked `smsTemplate`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SmsTemplate(String);

impl Default for SmsTemplate {
    fn default() -> Self {
        SmsTemplate(DEFAULT_TEMPLATE.to_owned())
    }
}

impl SmsTemplate {
    /// Checks that `template` has the placeholder and that, filled with any code of `length`
    /// characters from `alphabet`, it is GSM-7 and at most 160 septets.
    pub fn new(
        template: &str,
        alphabet: &Alphabet,
        length: usize,
    ) -> Result<SmsTemplate, &'static str> {
        let parts = split(template);
        let codes = parts.len() - 1;
        if codes == 0 {
            return Err("must contain {{code}}");
        }
        let fixed_septets = parts
            .iter()
            .map(|part| septets(part))
            .sum::<Option<usize>>()
            .ok_or("must use GSM-7 characters only")?;
        let widest = alphabet
            .chars()
            .map(|c| septets_of(c).ok_or("cannot carry the code alphabet (not GSM-7)"))
            .try_fold(0, |max, s| s.map(|s| max.max(s)))?;
        if fixed_septets + codes * length * widest > MAX_SEPTETS {
            return Err("must fit one SMS (160 GSM-7 characters) with the code filled in");
        }
        Ok(SmsTemplate(template.to_owned()))
    }

    /// The text with `code` filled in.
    pub fn render(&self, code: &str) -> String {
        let mut text = String::with_capacity(self.0.len() + code.len());
        for (i, part) in split(&self.0).into_iter().enumerate() {
            if i > 0 {
                text.push_str(code);
            }
            text.push_str(part);
        }
        text
    }
}

/// The text around each placeholder (one more part than placeholders). A byte search rather
/// than `str::replace`: the substring searcher core would bring is 3 KB of wasm.
fn split(template: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(at) =
        rest.as_bytes().windows(PLACEHOLDER.len()).position(|w| w == PLACEHOLDER.as_bytes())
    {
        // The placeholder is ASCII, so both ends are character boundaries.
        parts.push(rest.get(..at).unwrap_or_default());
        rest = rest.get(at + PLACEHOLDER.len()..).unwrap_or_default();
    }
    parts.push(rest);
    parts
}

/// Septets needed for `text` in GSM-7, or `None` if a character is not in GSM-7.
pub fn septets(text: &str) -> Option<usize> {
    text.chars().map(septets_of).sum()
}

/// GSM 03.38: 1 septet for the basic set, 2 for the extension table (escape + character).
fn septets_of(c: char) -> Option<usize> {
    const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                         ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    const EXTENSION: &str = "\u{c}^{}\\[~]|€";
    // `chars().any` rather than `str::contains`, whose character searcher is 2 KB of wasm.
    if BASIC.chars().any(|b| b == c) {
        Some(1)
    } else if EXTENSION.chars().any(|e| e == c) {
        Some(2)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(text: &str, alphabet: &str, length: usize) -> Result<SmsTemplate, &'static str> {
        SmsTemplate::new(text, &Alphabet::parse(alphabet).unwrap(), length)
    }

    #[test]
    fn default_template_renders() {
        let t = template(DEFAULT_TEMPLATE, "A-Z0-9", 6).unwrap();
        assert_eq!(t.render("X7K2QP"), "Your verification code is X7K2QP");
    }

    #[test]
    fn counts_septets_as_gsm_7() {
        assert_eq!(septets("abc"), Some(3));
        assert_eq!(septets("€[]"), Some(6));
        assert_eq!(septets("Grüße"), Some(5));
        assert_eq!(septets("ç"), None); // only the capital Ç is GSM-7
        assert_eq!(septets("😀"), None);
    }

    #[test]
    fn rejects_templates_that_do_not_fit_one_sms() {
        assert_eq!(template("no placeholder", "A-Z0-9", 6), Err("must contain {{code}}"));
        assert!(template("Код {{code}}", "A-Z0-9", 6).is_err());
        let long = format!("{}{{{{code}}}}", "x".repeat(154));
        assert!(template(&long, "A-Z0-9", 6).is_ok());
        assert!(template(&long, "A-Z0-9", 7).is_err());
        // `{` costs two septets, so a code alphabet with it needs twice the room.
        let long = format!("{}{{{{code}}}}", "x".repeat(149));
        assert!(template(&long, "A-Z0-9", 6).is_ok());
        assert!(template(&long, "{}", 6).is_err());
        assert!(template("{{code}}", "`a", 6).is_err());
    }
}
