//! A small backtracking regex matcher for libphonenumber metadata patterns.
//!
//! The metadata ships patterns as strings (readable, and the same strings will
//! later drive numbering-plan validation); this module runs them without a regex
//! crate. Supported subset: ASCII literals, `.`, `\d`, `\D`, escaped punctuation,
//! classes `[...]`/`[^...]` with ranges, `(...)`, `(?:...)`, `|`, `?`, `*`, `+`,
//! `{n}`, `{n,}`, `{n,m}` (each optionally lazy with a trailing `?`), `^` and `$`.
//! Matching follows Java's priority order (leftmost alternative first, greedy
//! quantifiers), which is what libphonenumber's `lookingAt()`/`matches()` use.
//!
//! Input is bytes; a non-ASCII byte never matches. Every step is bounded:
//! compiled programs are capped in size and a match gives up (no match) after a
//! fixed step budget, so no pattern or input can make it panic or run away.

/// Most instructions a compiled pattern may have.
const MAX_PROGRAM: usize = 8192;
/// Most capture groups a pattern may have.
const MAX_GROUPS: usize = 32;
/// Deepest group nesting accepted by the parser (bounds its recursion).
const MAX_DEPTH: usize = 64;
/// Largest count accepted in `{n,m}`.
const MAX_REPEAT: u32 = 1000;
/// Instructions one match may execute before it gives up.
const MAX_STEPS: u32 = 100_000;

/// Set of ASCII bytes: bit `b` is set when byte `b` matches.
type Class = u128;

const DIGITS: Class = ((1u128 << 10) - 1) << b'0';
const ANY: Class = !(1u128 << b'\n');

fn class_has(class: Class, byte: u8) -> bool {
    byte < 128 && class & (1u128 << byte) != 0
}

#[derive(Clone, Copy, Debug)]
enum Inst {
    /// Consume one byte in the class.
    Byte(Class),
    /// Try the first target, and on failure the second.
    Split(u16, u16),
    Jmp(u16),
    /// Record the current position in a capture slot.
    Save(u8),
    AssertStart,
    AssertEnd,
    Match,
}

#[derive(Debug)]
enum Node {
    Class(Class),
    Start,
    End,
    Group { index: Option<u8>, alts: Vec<Vec<Node>> },
    Repeat { node: Box<Node>, min: u32, max: Option<u32>, greedy: bool },
}

/// A compiled pattern.
#[derive(Debug)]
pub(super) struct Regex {
    prog: Vec<Inst>,
    groups: u8,
    /// The whole pattern when it is plain digits (`00`, `011`, `0`: most dialling prefixes),
    /// matched without running the program.
    literal: Option<Box<[u8]>>,
}

/// Where a successful match ended and what its groups captured.
#[derive(Debug)]
pub(super) struct Captures {
    end: usize,
    /// Start/end pairs for groups 1..=n.
    slots: Vec<Option<usize>>,
}

impl Captures {
    /// End of the whole match (it always starts at 0).
    pub(super) fn end(&self) -> usize {
        self.end
    }

    /// Number of capture groups in the pattern.
    pub(super) fn group_count(&self) -> usize {
        self.slots.len() / 2
    }

    /// Span of group `i` (0 = whole match), or None when it did not take part.
    pub(super) fn group(&self, i: usize) -> Option<(usize, usize)> {
        if i == 0 {
            return Some((0, self.end));
        }
        let at = i.checked_sub(1)?.checked_mul(2)?;
        let start = (*self.slots.get(at)?)?;
        let end = (*self.slots.get(at.checked_add(1)?)?)?;
        (start <= end).then_some((start, end))
    }
}

impl Regex {
    /// Compiles `pattern`; None when it is outside the supported subset.
    pub(super) fn new(pattern: &str) -> Option<Regex> {
        let mut parser = Parser { src: pattern.as_bytes(), pos: 0, groups: 0 };
        let alts = parser.alternation(0)?;
        if parser.pos != parser.src.len() {
            return None; // stray ')'
        }
        let groups = parser.groups;
        let mut c = Compiler { prog: Vec::new() };
        c.node(&Node::Group { index: None, alts })?;
        c.push(Inst::Match)?;
        let digits = !pattern.is_empty() && pattern.bytes().all(|b| b.is_ascii_digit());
        let literal = digits.then(|| pattern.as_bytes().into());
        Some(Regex { prog: c.prog, groups, literal })
    }

    /// Java `lookingAt()`: the first match that starts at offset 0.
    pub(super) fn looking_at(&self, input: &[u8]) -> Option<Captures> {
        self.run(input, false)
    }

    /// Java `matches()`: whether the whole input matches.
    pub(super) fn full_match(&self, input: &[u8]) -> bool {
        self.run(input, true).is_some()
    }

    fn run(&self, input: &[u8], whole: bool) -> Option<Captures> {
        enum Frame {
            Try(u16, usize),
            Restore(u8, Option<usize>),
        }
        if let Some(literal) = &self.literal {
            let hit = input.starts_with(literal) && (!whole || input.len() == literal.len());
            return hit.then(|| Captures { end: literal.len(), slots: Vec::new() });
        }
        let mut slots: Vec<Option<usize>> = vec![None; 2 * usize::from(self.groups)];
        let mut stack = vec![Frame::Try(0, 0)];
        let mut steps = 0u32;
        while let Some(frame) = stack.pop() {
            let (mut pc, mut pos) = match frame {
                Frame::Try(pc, pos) => (pc, pos),
                Frame::Restore(slot, old) => {
                    if let Some(s) = slots.get_mut(usize::from(slot)) {
                        *s = old;
                    }
                    continue;
                }
            };
            loop {
                steps += 1;
                if steps > MAX_STEPS {
                    return None;
                }
                match self.prog.get(usize::from(pc)) {
                    Some(Inst::Byte(class)) => match input.get(pos) {
                        Some(&b) if class_has(*class, b) => {
                            pc += 1;
                            pos += 1;
                        }
                        _ => break,
                    },
                    Some(Inst::Split(first, second)) => {
                        stack.push(Frame::Try(*second, pos));
                        pc = *first;
                    }
                    Some(Inst::Jmp(to)) => pc = *to,
                    Some(Inst::Save(slot)) => {
                        if let Some(s) = slots.get_mut(usize::from(*slot)) {
                            stack.push(Frame::Restore(*slot, *s));
                            *s = Some(pos);
                        }
                        pc += 1;
                    }
                    Some(Inst::AssertStart) if pos == 0 => pc += 1,
                    Some(Inst::AssertEnd) if pos == input.len() => pc += 1,
                    Some(Inst::Match) if !whole || pos == input.len() => {
                        return Some(Captures { end: pos, slots });
                    }
                    _ => break,
                }
            }
        }
        None
    }
}

/// Compiles and runs `pattern` in one go (`lookingAt`); None also for a bad pattern.
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(super) fn looking_at(pattern: &str, input: &[u8]) -> Option<Captures> {
    Regex::new(pattern)?.looking_at(input)
}

/// Expands a Java replacement string (`$n` group references, `\x` escapes)
/// for `caps` over `input`. None when it names a group the pattern lacks.
pub(super) fn expand(rule: &str, caps: &Captures, input: &[u8]) -> Option<Vec<u8>> {
    let rule = rule.as_bytes();
    let mut out = Vec::with_capacity(rule.len() + input.len());
    let mut i = 0;
    while let Some(&b) = rule.get(i) {
        i += 1;
        match b {
            b'\\' => {
                out.push(*rule.get(i)?);
                i += 1;
            }
            b'$' => {
                // Java takes the first digit, then more digits while the number
                // still names an existing group.
                let mut n = usize::from(rule.get(i).filter(|d| d.is_ascii_digit())? - b'0');
                i += 1;
                while let Some(&d) = rule.get(i).filter(|d| d.is_ascii_digit()) {
                    let next = n * 10 + usize::from(d - b'0');
                    if next > caps.group_count() {
                        break;
                    }
                    n = next;
                    i += 1;
                }
                if n > caps.group_count() {
                    return None;
                }
                if let Some((s, e)) = caps.group(n) {
                    out.extend_from_slice(input.get(s..e)?);
                }
            }
            _ => out.push(b),
        }
    }
    Some(out)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    groups: u8,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// `seq ('|' seq)*`, stopping before `)` or at the end.
    fn alternation(&mut self, depth: usize) -> Option<Vec<Vec<Node>>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let mut alts = vec![self.sequence(depth)?];
        while self.eat(b'|') {
            alts.push(self.sequence(depth)?);
        }
        Some(alts)
    }

    fn sequence(&mut self, depth: usize) -> Option<Vec<Node>> {
        let mut seq = Vec::new();
        while let Some(b) = self.peek() {
            if b == b'|' || b == b')' {
                break;
            }
            let atom = self.atom(depth)?;
            seq.push(self.quantified(atom)?);
        }
        Some(seq)
    }

    fn atom(&mut self, depth: usize) -> Option<Node> {
        let b = self.peek()?;
        self.pos += 1;
        Some(match b {
            b'(' => {
                let index = if self.eat(b'?') {
                    if !self.eat(b':') {
                        return None; // lookaround and flags are not supported
                    }
                    None
                } else {
                    if usize::from(self.groups) >= MAX_GROUPS {
                        return None;
                    }
                    self.groups += 1;
                    Some(self.groups)
                };
                let alts = self.alternation(depth + 1)?;
                if !self.eat(b')') {
                    return None;
                }
                Node::Group { index, alts }
            }
            b'[' => Node::Class(self.class()?),
            b'\\' => Node::Class(self.escape()?),
            b'.' => Node::Class(ANY),
            b'^' => Node::Start,
            b'$' => Node::End,
            b'*' | b'+' | b'?' | b'{' | b'}' | b']' | b'|' | b')' => return None,
            b if b.is_ascii() && !b.is_ascii_control() => Node::Class(1u128 << b),
            _ => return None,
        })
    }

    /// After a `\`: `\d`, `\D`, or an escaped non-alphanumeric ASCII byte.
    fn escape(&mut self) -> Option<Class> {
        let b = self.peek()?;
        self.pos += 1;
        match b {
            b'd' => Some(DIGITS),
            b'D' => Some(ANY & !DIGITS),
            b if b.is_ascii_punctuation() || b == b' ' => Some(1u128 << b),
            _ => None,
        }
    }

    /// After a `[`: items up to the closing `]`.
    fn class(&mut self) -> Option<Class> {
        let negate = self.eat(b'^');
        let mut set: Class = 0;
        let mut first = true;
        loop {
            let b = self.peek()?;
            if b == b']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            self.pos += 1;
            let lo = match b {
                b'\\' => {
                    let c = self.escape()?;
                    if c.count_ones() != 1 {
                        set |= c; // \d or \D: no range may follow
                        continue;
                    }
                    c.trailing_zeros() as u8
                }
                b'[' | b'&' => return None, // nested classes / intersections
                b if b.is_ascii() && !b.is_ascii_control() => b,
                _ => return None,
            };
            // A range `lo-hi`, unless the '-' is the last item.
            if self.peek() == Some(b'-') && self.src.get(self.pos + 1) != Some(&b']') {
                self.pos += 1;
                let hi = match self.peek()? {
                    b'\\' => {
                        self.pos += 1;
                        let c = self.escape()?;
                        if c.count_ones() != 1 {
                            return None;
                        }
                        c.trailing_zeros() as u8
                    }
                    b if b.is_ascii() && !b.is_ascii_control() => {
                        self.pos += 1;
                        b
                    }
                    _ => return None,
                };
                if hi < lo {
                    return None;
                }
                for c in lo..=hi {
                    set |= 1u128 << c;
                }
            } else {
                set |= 1u128 << lo;
            }
        }
        Some(if negate { ANY & !set } else { set })
    }

    fn quantified(&mut self, node: Node) -> Option<Node> {
        let (min, max) = match self.peek() {
            Some(b'?') => (0, Some(1)),
            Some(b'*') => (0, None),
            Some(b'+') => (1, None),
            Some(b'{') => {
                self.pos += 1;
                let min = self.number()?;
                let max = if self.eat(b',') {
                    if self.peek() == Some(b'}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some(b'}') || max.is_some_and(|m| m < min) {
                    return None;
                }
                (min, max)
            }
            _ => return Some(node),
        };
        self.pos += 1;
        let greedy = !self.eat(b'?');
        if matches!(self.peek(), Some(b'?' | b'*' | b'+' | b'{')) {
            return None; // possessive or stacked quantifiers
        }
        if matches!(node, Node::Start | Node::End) {
            return None;
        }
        Some(Node::Repeat { node: Box::new(node), min, max, greedy })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        let mut n: u32 = 0;
        while let Some(d) = self.peek().filter(u8::is_ascii_digit) {
            n = n.checked_mul(10)?.checked_add(u32::from(d - b'0'))?;
            self.pos += 1;
        }
        (self.pos > start && n <= MAX_REPEAT).then_some(n)
    }
}

struct Compiler {
    prog: Vec<Inst>,
}

impl Compiler {
    fn pc(&self) -> Option<u16> {
        u16::try_from(self.prog.len()).ok()
    }

    fn push(&mut self, inst: Inst) -> Option<usize> {
        if self.prog.len() >= MAX_PROGRAM {
            return None;
        }
        self.prog.push(inst);
        Some(self.prog.len() - 1)
    }

    fn patch(&mut self, at: usize, inst: Inst) {
        if let Some(slot) = self.prog.get_mut(at) {
            *slot = inst;
        }
    }

    fn node(&mut self, node: &Node) -> Option<()> {
        match node {
            Node::Class(c) => {
                self.push(Inst::Byte(*c))?;
            }
            Node::Start => {
                self.push(Inst::AssertStart)?;
            }
            Node::End => {
                self.push(Inst::AssertEnd)?;
            }
            Node::Group { index, alts } => {
                if let Some(i) = index {
                    self.push(Inst::Save(2 * (i - 1)))?;
                }
                let mut jumps_to_end = Vec::new();
                let count = alts.len();
                for (k, seq) in alts.iter().enumerate() {
                    let split =
                        if k + 1 < count { Some(self.push(Inst::Split(0, 0))?) } else { None };
                    let body = self.pc()?;
                    for n in seq {
                        self.node(n)?;
                    }
                    if let Some(split) = split {
                        jumps_to_end.push(self.push(Inst::Jmp(0))?);
                        let next = self.pc()?;
                        self.patch(split, Inst::Split(body, next));
                    }
                }
                let end = self.pc()?;
                for j in jumps_to_end {
                    self.patch(j, Inst::Jmp(end));
                }
                if let Some(i) = index {
                    self.push(Inst::Save(2 * (i - 1) + 1))?;
                }
            }
            Node::Repeat { node, min, max, greedy } => {
                for _ in 0..*min {
                    self.node(node)?;
                }
                let split = |body: u16, out: u16| {
                    if *greedy {
                        Inst::Split(body, out)
                    } else {
                        Inst::Split(out, body)
                    }
                };
                match max {
                    None => {
                        let top = self.push(Inst::Split(0, 0))?;
                        let body = self.pc()?;
                        self.node(node)?;
                        self.push(Inst::Jmp(u16::try_from(top).ok()?))?;
                        let out = self.pc()?;
                        self.patch(top, split(body, out));
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.push(Inst::Split(0, 0))?);
                            self.node(node)?;
                        }
                        let out = self.pc()?;
                        for s in splits {
                            let body = u16::try_from(s + 1).ok()?;
                            self.patch(s, split(body, out));
                        }
                    }
                }
            }
        }
        Some(())
    }
}

// proptest is a native-only dev-dependency; the engine is tested natively.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn never_panics(p in "[\\\\()\\[\\]{}|?*+.^$0-9d,:-]{0,40}", s in "[0-9a]{0,30}") {
            if let Some(re) = Regex::new(&p) {
                if let Some(caps) = re.looking_at(s.as_bytes()) {
                    prop_assert!(caps.end() <= s.len());
                    for i in 0..=caps.group_count() + 1 {
                        if let Some((a, b)) = caps.group(i) {
                            prop_assert!(a <= b && b <= s.len());
                        }
                    }
                    let _ = expand("$1$2x$10\\$", &caps, s.as_bytes());
                }
                let _ = re.full_match(s.as_bytes());
            }
        }
    }

    fn look(p: &str, s: &str) -> Option<usize> {
        Regex::new(p).expect(p).looking_at(s.as_bytes()).map(|c| c.end())
    }

    fn full(p: &str, s: &str) -> bool {
        Regex::new(p).expect(p).full_match(s.as_bytes())
    }

    #[test]
    fn literals_classes_and_alternation() {
        assert_eq!(look("00", "0041"), Some(2));
        assert_eq!(look("00", "0141"), None);
        assert_eq!(look("011", "01141"), Some(3));
        assert_eq!(look(r"0[0-3]\d", "0259"), Some(3));
        assert_eq!(look("[^0-3]", "4"), Some(1));
        assert_eq!(look("[^0-3]", "3"), None);
        assert_eq!(look("[02-689]|7[0-8]", "79"), None);
        assert_eq!(look("[02-689]|7[0-8]", "78"), Some(2));
        assert_eq!(look("a|ab", "ab"), Some(1), "first alternative wins");
        assert_eq!(look("ab|a", "ab"), Some(2));
        assert_eq!(look("[-a]", "-"), Some(1));
        assert_eq!(look("[a-]", "-"), Some(1));
        assert_eq!(look(r"[\d.]+", "1.2x"), Some(3));
        assert_eq!(look(r"\D", "x"), Some(1));
        assert_eq!(look(r"\.", "."), Some(1));
        assert_eq!(look(".", "z"), Some(1));
    }

    #[test]
    fn quantifiers_follow_java_priority() {
        assert_eq!(look(r"\d*", "123"), Some(3));
        assert_eq!(look(r"\d*?", "123"), Some(0));
        assert_eq!(look(r"\d+?", "123"), Some(1));
        assert_eq!(look(r"\d{2}", "123"), Some(2));
        assert_eq!(look(r"\d{2}", "1"), None);
        assert_eq!(look(r"\d{1,2}", "123"), Some(2));
        assert_eq!(look(r"\d{1,2}?", "123"), Some(1));
        assert_eq!(look(r"\d{2,}", "12345"), Some(5));
        assert_eq!(look("0?1", "01"), Some(2));
        assert_eq!(look("0?1", "1"), Some(1));
        assert_eq!(look("00(?:1\\d)?", "0012"), Some(4));
        assert_eq!(look("00(?:30|5[09]|[126-9]?)", "003"), Some(2));
        assert_eq!(look("(?:ab)+c", "ababc"), Some(5));
    }

    #[test]
    fn anchors_and_backtracking() {
        assert_eq!(look(r"([457]\d{6})$|1", "4123456"), Some(7));
        assert_eq!(look(r"([457]\d{6})$|1", "41234567"), None);
        assert_eq!(look(r"([457]\d{6})$|1", "14123456"), Some(1));
        assert_eq!(look("^1", "1"), Some(1));
        assert_eq!(look(r"\d*5", "12535"), Some(5));
        assert!(full(r"\d{3}|\d{5}", "12345"), "matches() tries later alternatives");
        assert!(!full(r"\d{3}|\d{5}", "1234"));
        assert!(full("", ""));
        assert!(!full("", "1"));
    }

    #[test]
    fn captures_and_expansion() {
        let re = Regex::new(r"0(8(?:[1-46-8]|5\d\d))?").unwrap();
        let caps = re.looking_at(b"0821234567").unwrap();
        assert_eq!(caps.end(), 3);
        assert_eq!(caps.group_count(), 1);
        assert_eq!(caps.group(1), Some((1, 3)));
        let caps = re.looking_at(b"021234567").unwrap();
        assert_eq!(caps.group(1), None);

        let re = Regex::new(r"([2-9]\d{6})$|1").unwrap();
        let input = b"5551234";
        let caps = re.looking_at(input).unwrap();
        assert_eq!(expand("441$1", &caps, input).unwrap(), b"4415551234");
        let caps = re.looking_at(b"1441").unwrap();
        assert_eq!(caps.group(1), None);
        assert_eq!(expand("x$1y", &caps, b"1441").unwrap(), b"xy");
        assert_eq!(expand(r"\$1", &caps, b"1441").unwrap(), b"$1");
        assert!(expand("$2", &caps, b"1441").is_none());
        assert!(expand("$", &caps, b"1441").is_none());

        // Java reads "$12" as group 1 followed by "2" when there is no group 12.
        let re = Regex::new("(a)(b)").unwrap();
        let caps = re.looking_at(b"ab").unwrap();
        assert_eq!(expand("$12-$2", &caps, b"ab").unwrap(), b"a2-b");

        // A group inside a loop keeps its last iteration.
        let re = Regex::new("(?:(\\d))+").unwrap();
        let caps = re.looking_at(b"123").unwrap();
        assert_eq!(caps.group(1), Some((2, 3)));
    }

    #[test]
    fn rejects_unsupported_or_broken_patterns() {
        for p in [
            "(", ")", "(?=1)", "[", "[]", "[a", "a{2,1}", "a{", "*", "a**", "a*+", "\\", "\\w",
            "[b-a]", "(?i)a", "é", "a{1001}", "[[a]]", "$?",
        ] {
            assert!(Regex::new(p).is_none(), "{p:?} should not compile");
        }
        assert!(looking_at("(", b"1").is_none());
    }

    #[test]
    fn bounded_on_hostile_patterns() {
        // Exponential backtracking and empty loops give up instead of hanging.
        let re = Regex::new("(?:(?:\\d*)*)*x").unwrap();
        assert!(re.looking_at(&[b'1'; 60]).is_none());
        let re = Regex::new("(?:)*").unwrap();
        let _ = re.looking_at(b"1");
        assert!(Regex::new(&"(".repeat(100)).is_none());
        assert!(Regex::new(
            "\\d{1000}\\d{1000}\\d{1000}\\d{1000}\\d{1000}\\d{1000}\\d{1000}\\d{1000}\\d{1000}"
        )
        .is_none());
        // Non-ASCII input never matches a class.
        assert_eq!(look(".", "\u{e9}"), None);
    }
}
