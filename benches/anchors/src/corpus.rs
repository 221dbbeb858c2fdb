//! The two corpora, built in pairs of the same size.

use bytes::Bytes;

use crate::rng::Rng;
use crate::{discord, qq};

/// Discord and QQ message frames, pair `i` of about the same length and the same message text.
#[derive(Debug)]
pub struct Corpus {
    /// Discord `MESSAGE_CREATE` frames (text: twilight reads a `&str`, as twilight-gateway does).
    pub discord: Vec<String>,
    /// QQ `AT_MESSAGE_CREATE` frames (`Bytes`: what botgate's session hands to the decode).
    pub qq: Vec<Bytes>,
    /// Mentions added to the QQ frames beyond the bot's, in all, to match the lengths.
    pub qq_extra_mentions: usize,
}

impl Corpus {
    /// `pairs` pairs of frames, the same for every call.
    pub fn new(pairs: u64) -> Self {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut corpus = Corpus {
            discord: Vec::new(),
            qq: Vec::new(),
            qq_extra_mentions: 0,
        };
        for seq in 1..=pairs {
            let (frame, text) = discord::message_create(&mut rng, seq);
            // Mentions until the QQ frame reaches its partner's length; keep the closer of the
            // last two, so that the averages differ by far less than one mention.
            let (mut others, mut best) = (0, None::<(usize, Rng, String, usize)>);
            loop {
                let mut attempt = rng.clone();
                let qq = qq::at_message_create(&mut attempt, seq, &text, others);
                let gap = qq.len().abs_diff(frame.len());
                let long_enough = qq.len() >= frame.len();
                if best.as_ref().is_none_or(|(g, ..)| gap < *g) {
                    best = Some((gap, attempt, qq, others));
                }
                if long_enough {
                    break;
                }
                others += 1;
            }
            if let Some((_, advanced, qq, others)) = best {
                corpus.qq_extra_mentions += others;
                rng = advanced;
                corpus.qq.push(Bytes::from(qq));
            }
            corpus.discord.push(frame);
        }
        corpus
    }

    /// Average length of a Discord frame, in bytes.
    pub fn discord_average(&self) -> f64 {
        let total: usize = self.discord.iter().map(String::len).sum();
        total as f64 / self.discord.len().max(1) as f64
    }

    /// Average length of a QQ frame, in bytes.
    pub fn qq_average(&self) -> f64 {
        let total: usize = self.qq.iter().map(Bytes::len).sum();
        total as f64 / self.qq.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::Corpus;
    use botgate_codec::{qq, Frame};
    use serde::de::DeserializeSeed;
    use twilight_model::gateway::event::{DispatchEvent, GatewayEvent, GatewayEventDeserializer};

    #[test]
    fn pairs_have_the_same_average_size() {
        let corpus = Corpus::new(300);
        let ratio = corpus.qq_average() / corpus.discord_average();
        assert!((0.95..=1.05).contains(&ratio), "QQ / Discord size {ratio}");
        assert!(
            corpus.discord_average() > 800.0,
            "{}",
            corpus.discord_average()
        );
    }

    #[test]
    fn every_frame_decodes_to_a_message() {
        let corpus = Corpus::new(300);
        for json in &corpus.discord {
            let seed = GatewayEventDeserializer::from_json(json).unwrap();
            assert_eq!(seed.event_type(), Some("MESSAGE_CREATE"));
            let event = seed
                .deserialize(&mut serde_json::Deserializer::from_str(json))
                .unwrap();
            assert!(matches!(
                event,
                GatewayEvent::Dispatch(_, DispatchEvent::MessageCreate(_))
            ));
        }
        for bytes in &corpus.qq {
            let frame = Frame::scan(bytes.clone()).unwrap();
            let event =
                qq::decode_event(frame.event_type().unwrap(), frame.data().unwrap()).unwrap();
            let qq::Event::AtMessageCreate(message) = event else {
                panic!("not an AT message: {bytes:?}");
            };
            assert!(message.content.contains("<@!6158788878435714165>"));
        }
    }
}
