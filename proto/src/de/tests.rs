//! The rule of decision 0014, helper by helper.

use serde::Deserialize;

#[derive(Deserialize, Default, Debug)]
#[serde(default)]
struct T {
    #[serde(deserialize_with = "super::string")]
    s: String,
    #[serde(deserialize_with = "super::opt_i64")]
    n: Option<i64>,
    #[serde(deserialize_with = "super::u64")]
    u: u64,
    #[serde(deserialize_with = "super::bool")]
    b: bool,
    #[serde(deserialize_with = "super::vec")]
    v: Vec<u8>,
}

#[test]
fn numbers_as_strings_and_strings_as_numbers_are_accepted() {
    let t: T = serde_json::from_str(
        r#"{"s":6158788878435714165,"n":"-12","u":"18446744073709551615","b":1,"v":null}"#,
    )
    .unwrap();
    assert_eq!(t.s, "6158788878435714165");
    assert_eq!(t.n, Some(-12));
    assert_eq!(t.u, u64::MAX);
    assert!(t.b);
    assert!(t.v.is_empty());
}

#[test]
fn nulls_and_missing_fields_are_defaults() {
    let t: T = serde_json::from_str(r#"{"s":null,"n":null,"u":""}"#).unwrap();
    assert_eq!(t.s, "");
    assert_eq!(t.n, None);
    assert_eq!(t.u, 0);
}

#[test]
fn garbage_in_a_number_field_is_an_error_not_a_panic() {
    assert!(serde_json::from_str::<T>(r#"{"u":"abc"}"#).is_err());
    assert!(serde_json::from_str::<T>(r#"{"u":-1}"#).is_err());
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
struct L {
    #[serde(deserialize_with = "super::lossy_string")]
    s: String,
    #[serde(deserialize_with = "super::lossy_opt_i64")]
    i: Option<i64>,
    #[serde(deserialize_with = "super::lossy_opt_u32")]
    u: Option<u32>,
    #[serde(deserialize_with = "super::lossy_opt_bool")]
    b: Option<bool>,
    #[serde(deserialize_with = "super::lossy_vec_string")]
    vs: Vec<String>,
    #[serde(deserialize_with = "super::lossy_vec_i64")]
    vi: Vec<i64>,
    #[serde(deserialize_with = "super::objects")]
    o: Vec<Inner>,
    #[serde(deserialize_with = "super::opt_object")]
    one: Option<Inner>,
}

#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
struct Inner {
    #[serde(deserialize_with = "super::lossy_opt_i64")]
    id: Option<i64>,
}

#[test]
fn lossy_helpers_read_every_scalar_shape() {
    let l: L = serde_json::from_str(
        r#"{"s":12,"i":" 4294967297 ","u":"7","b":"1","vs":[1,"a",true,null,{}],
            "vi":["5",6,"x",7.0,[1]],"o":[{"id":"1"},2,"x",{"id":3}],"one":{"id":9}}"#,
    )
    .unwrap();
    assert_eq!(l.s, "12");
    assert_eq!(l.i, Some(4_294_967_297));
    assert_eq!(l.u, Some(7));
    assert_eq!(l.b, Some(true));
    assert_eq!(l.vs, ["1", "a", "true"]);
    assert_eq!(l.vi, [5, 6, 7]);
    assert_eq!(l.o, [Inner { id: Some(1) }, Inner { id: Some(3) }]);
    assert_eq!(l.one, Some(Inner { id: Some(9) }));
}

#[test]
fn lossy_helpers_never_fail_on_the_wrong_shape() {
    let l: L = serde_json::from_str(
        r#"{"s":{"a":[1,2]},"i":"abc","u":-1,"b":"maybe","vs":"x","vi":{"k":1},
            "o":{"id":1},"one":[{"id":1}]}"#,
    )
    .unwrap();
    assert_eq!(l, L::default());
    let l: L = serde_json::from_str(r#"{"u":4294967296,"i":1.5,"s":null}"#).unwrap();
    assert_eq!((l.u, l.i, l.s.as_str()), (None, None, ""));
}

#[test]
fn deep_nesting_in_a_skipped_value_is_not_an_error() {
    let deep = format!("{{\"s\":{}1{}}}", "[".repeat(100), "]".repeat(100));
    let l: L = serde_json::from_str(&deep).unwrap();
    assert_eq!(l.s, "");
}

/// One field of every helper kind, strict and lossy.
#[derive(Deserialize, Default, Debug, PartialEq)]
#[serde(default)]
struct Every {
    #[serde(deserialize_with = "super::opt_string")]
    s: Option<String>,
    #[serde(deserialize_with = "super::lossy_opt_string")]
    ls: Option<String>,
    #[serde(deserialize_with = "super::opt_i64")]
    i: Option<i64>,
    #[serde(deserialize_with = "super::lossy_opt_u32")]
    lu: Option<u32>,
    #[serde(deserialize_with = "super::opt_f64")]
    f: Option<f64>,
    #[serde(deserialize_with = "super::opt_bool")]
    b: Option<bool>,
    #[serde(deserialize_with = "super::lossy_opt_bool")]
    lb: Option<bool>,
    #[serde(deserialize_with = "super::opt")]
    o: Option<Inner>,
    #[serde(deserialize_with = "super::or_default")]
    d: Inner,
    #[serde(deserialize_with = "super::opt_object")]
    lo: Option<Inner>,
    #[serde(deserialize_with = "super::vec")]
    v: Vec<Inner>,
    #[serde(deserialize_with = "super::objects")]
    lv: Vec<Inner>,
    #[serde(deserialize_with = "super::lossy_vec_string")]
    vs: Vec<String>,
    #[serde(deserialize_with = "super::lossy")]
    e: Option<crate::qq::ChannelType>,
}

const EVERY_KEY: [&str; 14] = [
    "s", "ls", "i", "lu", "f", "b", "lb", "o", "d", "lo", "v", "lv", "vs", "e",
];

#[test]
fn null_and_empty_string_are_absent_in_every_helper() {
    for key in EVERY_KEY {
        for absent in ["null", r#""""#] {
            let json = format!(r#"{{"{key}":{absent}}}"#);
            let got: Every = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(got, Every::default(), "{json}");
        }
    }
    // Numbers and bools trim: blanks are "" too. A string keeps its blanks.
    let got: Every = serde_json::from_str(r#"{"i":" ","lu":"\t","b":" ","s":" "}"#).unwrap();
    assert_eq!(
        (got.i, got.lu, got.b, got.s.as_deref()),
        (None, None, None, Some(" "))
    );
}

#[test]
fn absent_list_elements_are_dropped() {
    let got: Every = serde_json::from_str(
        r#"{"v":[null,{"id":1},"",{"id":2}],"lv":["",{"id":3},null],"vs":["a","",null,2]}"#,
    )
    .unwrap();
    assert_eq!(got.v, [Inner { id: Some(1) }, Inner { id: Some(2) }]);
    assert_eq!(got.lv, [Inner { id: Some(3) }]);
    assert_eq!(got.vs, ["a", "2"]);
}

#[test]
fn strict_and_lossy_read_a_bool_and_a_number_alike() {
    for (json, want) in [
        ("true", true),
        ("1", true),
        ("7", true),
        ("1.0", true),
        (r#""TRUE""#, true),
        (r#"" 1 ""#, true),
        ("false", false),
        ("0", false),
        ("0.0", false),
        (r#""False""#, false),
        (r#""0""#, false),
    ] {
        let got: Every = serde_json::from_str(&format!(r#"{{"b":{json},"lb":{json}}}"#)).unwrap();
        assert_eq!((got.b, got.lb), (Some(want), Some(want)), "{json}");
    }
    for (json, want) in [
        ("12", 12),
        ("12.0", 12),
        (r#"" 12 ""#, 12),
        (r#""12.0""#, 12),
        ("true", 1),
    ] {
        let got: Every = serde_json::from_str(&format!(r#"{{"i":{json},"lu":{json}}}"#)).unwrap();
        assert_eq!((got.i, got.lu), (Some(want), Some(want as u32)), "{json}");
    }
}

#[test]
fn a_present_value_of_the_wrong_shape_is_an_error_only_for_strict_helpers() {
    for (key, bad) in [
        ("s", "{}"),
        ("i", r#""abc""#),
        ("i", "1.5"),
        ("f", r#""x""#),
        ("b", r#""maybe""#),
        ("b", "[]"),
        ("o", "5"),
        ("o", r#""x""#),
        ("v", "{}"),
        ("v", "[1]"),
    ] {
        let json = format!(r#"{{"{key}":{bad}}}"#);
        assert!(serde_json::from_str::<Every>(&json).is_err(), "{json}");
    }
    for (key, bad) in [
        ("ls", "{}"),
        ("lu", r#""abc""#),
        ("lu", "-1"),
        ("lb", r#""maybe""#),
        ("lo", "5"),
        ("lv", r#""x""#),
        ("vs", "{}"),
        ("e", "[1]"),
        ("e", r#""forum""#),
    ] {
        let json = format!(r#"{{"{key}":{bad}}}"#);
        let got: Every = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(got, Every::default(), "{json}");
    }
}

#[test]
fn lossy_enums_read_codes_and_numeric_strings() {
    let got: Every = serde_json::from_str(r#"{"e":"10007"}"#).unwrap();
    assert_eq!(got.e, Some(crate::qq::ChannelType::Forum));
    let got: Every = serde_json::from_str(r#"{"e":42}"#).unwrap();
    assert_eq!(got.e, Some(crate::qq::ChannelType::Other(42)));
}

// ------------------------------------------------------------------ the lenient deserializer

mod adapter {
    use crate::de::{from_slice, from_slice_with_path, from_str_with_path, from_value};
    use serde::{Deserialize, Serialize};
    use serde_json::{json, Map, Value};
    use std::borrow::Cow;

    /// A payload with plain field types, read in lossy mode (as QQ and Bubble are).
    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(remote = "Self")]
    #[serde(default)]
    struct Lossy {
        s: String,
        os: Option<String>,
        i: i64,
        oi: Option<i64>,
        u: u64,
        ou32: Option<u32>,
        f: f64,
        b: bool,
        ob: Option<bool>,
        inner: Inner,
        oinner: Option<Inner>,
        list: Vec<Inner>,
        ids: Vec<String>,
        nums: Vec<i64>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(remote = "Self")]
    #[serde(default)]
    struct Inner {
        id: String,
        n: Option<i64>,
    }

    /// The same fields read in strict mode (as OneBot is).
    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(remote = "Self")]
    #[serde(default)]
    struct Strict {
        s: String,
        oi: Option<i64>,
        u: u64,
        b: bool,
        inner: StrictInner,
        list: Vec<StrictInner>,
        nums: Vec<i64>,
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(remote = "Self")]
    #[serde(default)]
    struct StrictInner {
        id: String,
    }

    crate::de::lenient_payload!(Lossy: Lossy, Inner);
    crate::de::lenient_payload!(Strict: Strict, StrictInner);
    crate::de::serialize_derived!(Lossy, Inner);

    fn lossy(v: Value) -> Lossy {
        let text = v.to_string();
        let fast: Lossy = from_slice(text.as_bytes()).unwrap();
        // Every way in reads alike: the fast entry, a plain serde_json call, a `Value`.
        assert_eq!(
            serde_json::from_str::<Lossy>(&text).unwrap(),
            fast,
            "{text}"
        );
        assert_eq!(from_value::<Lossy>(&v).unwrap(), fast, "{text}");
        fast
    }

    fn strict(v: Value) -> Result<Strict, String> {
        let text = v.to_string();
        let r = from_slice::<Strict>(text.as_bytes()).map_err(|e| e.to_string());
        let plain = serde_json::from_str::<Strict>(&text).map_err(|e| e.to_string());
        assert_eq!(r.is_ok(), plain.is_ok(), "{text}");
        r
    }

    #[test]
    fn each_scalar_kind_is_coerced_by_the_rule() {
        let l = lossy(json!({
            "s": 12, "os": true, "i": " 12 ", "oi": "12.0", "u": 3.0, "ou32": "7",
            "f": "1.5", "b": "TRUE", "ob": 0,
        }));
        assert_eq!((l.s.as_str(), l.os.as_deref()), ("12", Some("true")));
        assert_eq!((l.i, l.oi, l.u, l.ou32), (12, Some(12), 3, Some(7)));
        assert_eq!((l.f, l.b, l.ob), (1.5, true, Some(false)));
        let l = lossy(json!({"b": " 1 ", "ob": "false", "i": true, "f": false}));
        assert_eq!((l.b, l.ob, l.i, l.f), (true, Some(false), 1, 0.0));
    }

    #[test]
    fn null_and_empty_string_are_absent_everywhere() {
        for absent in [json!(null), json!("")] {
            let fields = [
                "s", "os", "i", "oi", "u", "ou32", "f", "b", "ob", "inner", "oinner", "list", "ids",
            ];
            let v: Map<String, Value> = fields
                .iter()
                .map(|k| (k.to_string(), absent.clone()))
                .collect();
            assert_eq!(lossy(Value::Object(v)), Lossy::default(), "{absent}");
        }
        // For numbers and bools blanks are absent too; for strings only `""` is.
        let l = lossy(json!({"oi": "  ", "ob": " ", "os": " ", "i": "\t"}));
        assert_eq!(
            (l.oi, l.ob, l.os.as_deref(), l.i),
            (None, None, Some(" "), 0)
        );
    }

    #[test]
    fn lossy_mode_reads_a_wrong_shape_as_absent() {
        let l = lossy(json!({
            "s": {"a": 1}, "os": [1], "i": "abc", "oi": {"x": [1, {"y": null}]},
            "ou32": 4_294_967_296u64, "b": "maybe", "ob": [], "inner": "text",
            "oinner": 5, "list": {"id": "1"}, "ids": {}, "id_after": "kept",
        }));
        assert_eq!((l.s.as_str(), l.os, l.i, l.oi), ("", None, 0, None));
        assert_eq!((l.ou32, l.b, l.ob), (None, false, None));
        assert_eq!(
            (l.inner, l.oinner, l.list.len(), l.ids.len()),
            (Inner::default(), None, 0, 0)
        );
        assert_eq!(l.extra.get("id_after"), Some(&json!("kept")));
        // Deep inside, the same: only the sloppy value is lost.
        let l = lossy(json!({"list": [{"id": 1, "n": "x"}, {"id": [2], "n": 3}], "s": "ok"}));
        assert_eq!(
            l.list,
            [
                Inner {
                    id: "1".into(),
                    n: None
                },
                Inner {
                    id: String::new(),
                    n: Some(3)
                }
            ]
        );
        assert_eq!(l.s, "ok");
    }

    #[test]
    fn strict_mode_makes_a_wrong_shape_an_error_naming_the_type() {
        let e = strict(json!({"u": "abc"})).unwrap_err();
        assert!(e.contains("integer"), "{e}");
        let e = strict(json!({"inner": "text"})).unwrap_err();
        assert!(e.contains("object"), "{e}");
        let e = strict(json!({"list": [{"id": "1"}, 5]})).unwrap_err();
        assert!(e.contains("object"), "{e}");
        assert!(strict(json!({"b": "maybe"})).is_err());
        assert!(strict(json!({"s": {}})).is_err());
        // The well-formed and the coercible read as in lossy mode.
        let s = strict(json!({"s": 1, "oi": "", "u": "7", "b": 1, "inner": null})).unwrap();
        assert_eq!((s.s.as_str(), s.oi, s.u, s.b), ("1", None, 7, true));
    }

    #[test]
    fn an_integer_wider_than_64_bits_is_absent_in_both_modes() {
        // Decision 0071: an id no integer field can hold is absent, not an error that loses
        // the (OneBot) event; the strings that are not integers stay errors in strict mode.
        let wide = "123456789012345678901234567890";
        let s =
            strict(json!({"u": wide, "oi": format!(" -{wide} "), "nums": [1, wide, 2]})).unwrap();
        assert_eq!((s.u, s.oi, s.nums), (0, None, vec![1, 2]));
        assert_eq!(lossy(json!({"oi": wide, "s": "kept"})).oi, None);
        for bad in [json!("-1"), json!("12a"), json!("1.5e40"), json!("- 1")] {
            assert!(strict(json!({ "u": bad })).is_err(), "{bad}");
        }
        // Those that fit are read, leading zeros and all.
        let s = strict(json!({"u": "00000000000000000000000000018446744073709551615"})).unwrap();
        assert_eq!(s.u, u64::MAX);
    }

    #[test]
    fn strict_errors_carry_the_path() {
        let e = from_slice_with_path::<Strict>(br#"{"list":[{"id":"a"},{"id":{}}]}"#).unwrap_err();
        assert_eq!(e.path, "list[1].id");
        let e = from_slice_with_path::<Strict>(br#"{"u":1} x"#).unwrap_err();
        assert_eq!(e.path, ".");
    }

    /// Text read as `&str` (strings not checked for UTF-8 again) decodes as the same bytes
    /// do: the plain, the coercible (the retry over the bytes), and the path of an error.
    #[test]
    fn str_reads_as_slice_does() {
        for text in [
            r#"{"s":"h\u00e9 é你","ids":["1","2"],"inner":{"id":"x"}}"#,
            r#"{"s":1,"oi":"","u":"7","b":1,"nums":["3",4]}"#,
        ] {
            let from_str = from_str_with_path::<Lossy>(text).unwrap();
            assert_eq!(
                from_str,
                from_slice_with_path::<Lossy>(text.as_bytes()).unwrap()
            );
            let from_str = from_str_with_path::<Strict>(text).unwrap();
            assert_eq!(
                from_str,
                from_slice_with_path::<Strict>(text.as_bytes()).unwrap()
            );
        }
        assert_eq!(from_str_with_path::<Lossy>("{}").unwrap().s, "");
        for (text, path) in [
            (r#"{"list":[{"id":"a"},{"id":{}}]}"#, "list[1].id"),
            (r#"{"u":1} x"#, "."),
            (r#"{"s":"unterminated"#, "s"),
        ] {
            let e = from_str_with_path::<Strict>(text).unwrap_err();
            let f = from_slice_with_path::<Strict>(text.as_bytes()).unwrap_err();
            assert_eq!(
                (e.path.as_str(), e.error.to_string()),
                (path, f.error.to_string())
            );
        }
    }

    #[test]
    fn absent_list_elements_are_dropped() {
        let l = lossy(json!({
            "list": [null, {"id": "1"}, "", "junk", 3, [], {"id": "2"}],
            "ids": ["a", null, "", 5, true, {}, [1]],
            "nums": [1, "2", " ", "x", 3.0, 3.5, null],
        }));
        let ids: Vec<&str> = l.list.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["1", "2"]);
        assert_eq!(l.ids, ["a", "5", "true"]);
        assert_eq!(l.nums, [1, 2, 3]);
        let s = strict(json!({"list": [null, {"id": "1"}, ""], "nums": ["", 1, null]})).unwrap();
        assert_eq!((s.list.len(), s.nums.as_slice()), (1, &[1][..]));
    }

    #[test]
    fn ids_wider_than_53_bits_keep_every_digit() {
        let l = lossy(json!({
            "s": 6158788878435714165u64, "u": "18446744073709551615",
            "i": -9_007_199_254_740_993i64, "ids": [9_007_199_254_740_993u64, "9007199254740995"],
        }));
        assert_eq!(l.s, "6158788878435714165");
        assert_eq!(l.u, u64::MAX);
        assert_eq!(l.i, -9_007_199_254_740_993);
        assert_eq!(l.ids, ["9007199254740993", "9007199254740995"]);
    }

    #[test]
    fn unescaped_strings_stay_borrowed_from_the_input() {
        #[derive(Deserialize)]
        struct B<'a> {
            #[serde(borrow)]
            plain: Cow<'a, str>,
            #[serde(borrow)]
            escaped: Cow<'a, str>,
            opt: Option<&'a str>,
            list: Vec<&'a str>,
        }
        let b: B<'_> =
            from_slice(br#"{"plain":"abc","escaped":"a\nb","opt":"x","list":["y",null]}"#).unwrap();
        assert!(matches!(b.plain, Cow::Borrowed("abc")));
        assert_eq!(b.escaped, "a\nb");
        // `&str` fails unless the adapter hands the input's own slice on.
        assert_eq!((b.opt, b.list.as_slice()), (Some("x"), &["y"][..]));
    }

    #[test]
    fn unmodelled_values_pass_through_as_sent() {
        let l = lossy(json!({"other": {"a": [null, "", 1]}, "empty": ""}));
        assert_eq!(l.extra.get("other"), Some(&json!({"a": [null, "", 1]})));
        assert_eq!(l.extra.get("empty"), Some(&json!("")));
        let v: Value = from_slice(br#"{"a":[null,""],"b":"12"}"#).unwrap();
        assert_eq!(v, json!({"a": [null, ""], "b": "12"}));
    }

    #[test]
    fn malformed_input_is_an_error_in_both_modes() {
        assert!(from_slice::<Lossy>(br#"{"s":"x""#).is_err());
        assert!(from_slice::<Lossy>(br#"{"s":"x"} {}"#).is_err());
        assert!(from_slice::<Strict>(br#"{"s":nul}"#).is_err());
    }

    /// Invalid UTF-8 is malformed input, not a wrong shape: a lossy pass must not read the
    /// value as absent (skipping it unread would hide the error).
    #[test]
    fn invalid_utf8_is_an_error_with_its_path_not_an_absent_value() {
        for (bytes, path) in [
            (&b"{\"s\":\"\xff\xfe\"}"[..], "s"),
            (&b"{\"os\":\"a\xff\"}"[..], "os"),
            // A list element fails before its index is tracked: the list.
            (&b"{\"ids\":[\"1\",\"\xfe\"]}"[..], "ids"),
            // After a sloppy value the lossy pass repairs: still the UTF-8 error.
            (&b"{\"u\":\"abc\",\"s\":\"\xff\"}"[..], "s"),
        ] {
            let e = from_slice::<Lossy>(bytes).expect_err("invalid UTF-8");
            assert_eq!(e.classify(), serde_json::error::Category::Syntax, "{e}");
            let e = from_slice_with_path::<Lossy>(bytes).expect_err("invalid UTF-8");
            assert_eq!(e.path, path, "{}", e.error);
            assert_eq!(e.error.classify(), serde_json::error::Category::Syntax);
        }
    }
}
