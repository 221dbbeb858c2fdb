//! Conformance of the QQ payloads with the references (tencent-connect/botgo `dto/`,
//! tencent-connect/botpy `botpy/types/`, `botpy/*.py`): fields a reference reads that a decode
//! must keep. Each test failed before the fix it names (decision 0080).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use botgate_proto::qq;

/// A `FORUM_THREAD_CREATE` dispatch as QQ sends it: `thread_info.content` is a rich-text
/// document inside a string, here with a bold, underlined text element (botpy
/// `botpy/types/rich_text.py`: `TextElem {text, props: TextProps {font_bold, italic,
/// underline}}`).
const THREAD: &str = r#"{"op":0,"s":7,"t":"FORUM_THREAD_CREATE","id":"FORUM_THREAD_CREATE:1","d":{"guild_id":"18700000000001","channel_id":"400001","author_id":"1234567890","thread_info":{"thread_id":"B_2ad3df63a4b5c50001","title":"{\"paragraphs\":[{\"elems\":[{\"text\":{\"text\":\"公告\"},\"type\":1}]}]}","content":"{\"paragraphs\":[{\"elems\":[{\"text\":{\"text\":\"重要\",\"props\":{\"font_bold\":true,\"italic\":false,\"underline\":true}},\"type\":1},{\"text\":{\"text\":\" 正文\"},\"type\":1}],\"props\":{\"alignment\":1}}]}","date_time":"2022-06-01T10:05:00+08:00"}}}"#;

fn thread() -> qq::Thread {
    let frame: serde_json::Value = serde_json::from_str(THREAD).unwrap();
    serde_json::from_value(frame["d"].clone()).unwrap()
}

#[test]
fn forum_rich_text_keeps_the_props_of_a_text_element() {
    let rich = thread().thread_info.content_rich();
    assert_eq!(rich.plain_text(), "重要 正文");
    // Written back, the document keeps what QQ sent: the first element's bold / underline.
    let back = serde_json::to_value(&rich).unwrap();
    let props = &back["paragraphs"][0]["elems"][0]["text"]["props"];
    assert_eq!(props["font_bold"], true, "{back}");
    assert_eq!(props["italic"], false, "{back}");
    assert_eq!(props["underline"], true, "{back}");
    // An element without props has none.
    assert!(
        back["paragraphs"][0]["elems"][1]["text"]
            .get("props")
            .is_none(),
        "{back}"
    );
    assert_eq!(back["paragraphs"][0]["props"]["alignment"], 1);
}
