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
