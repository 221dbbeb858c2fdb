//! A deterministic generator and the texts it picks from, so every run measures the same frames.

/// Xorshift64: fast, seeded, the same sequence everywhere.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.bits() % n
    }

    /// One of `items`.
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// A snowflake-like id: 18–19 digits, as Discord's are (QQ's guild-side ids look alike).
    pub fn snowflake(&mut self) -> u64 {
        1_000_000_000_000_000_000 + self.below(400_000_000_000_000_000)
    }
}

/// Message texts: Chinese, emoji, English, one with escapes.
pub const TEXTS: &[&str] = &[
    "大家好 👋",
    "/天气 深圳",
    "今天的会议改到下午三点，请大家准时参加 🙏",
    "hello world",
    "收到！👍👍",
    "这是一条比较长的消息，用来测试解码器在处理中文内容时的性能表现，其中还包含一些 emoji 😀🎉🚀 以及英文 mixed content.",
    "签到",
    "\"quoted\" and \\escaped\\ text\nwith a newline",
];

/// User names, Chinese and not.
pub const NAMES: &[&str] = &["小明", "阿强", "群pro测试机器人", "Alice", "鲍勃", "🐱猫猫"];
