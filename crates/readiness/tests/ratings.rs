//! Ratings input: every bad-input case gets a typed error naming the row and the value.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use readiness::{Engine, RatingSet, Rubric};

const HEAD: &str = "candidate,rater,group,criterion,score\n";

fn csv_err(body: &str) -> readiness::RatingsError {
    RatingSet::from_csv_str(&format!("{HEAD}{body}"), &Rubric::standard())
        .expect_err("should be refused")
}

#[test]
fn each_bad_row_is_refused_with_line_and_code() {
    let ok = "e,m,manager,listens,4\n";
    let cases = [
        (
            "e,m,manager,listening,4\n",
            "unknown_criterion",
            3,
            "listening",
        ),
        ("e,m,boss,listens,4\n", "unknown_group", 3, "boss"),
        ("e,m,manager,listens,6\n", "score_out_of_scale", 3, "6"),
        ("e,m,manager,listens,0.5\n", "score_out_of_scale", 3, "0.5"),
        ("e,m,manager,listens,3.5\n", "score_off_step", 3, "3.5"),
        ("e,m,manager,listens,four\n", "score_not_numeric", 3, "four"),
        ("e,m,manager,listens,NaN\n", "score_not_finite", 3, "NaN"),
        ("e,m,manager,listens,inf\n", "score_not_finite", 3, "inf"),
        (
            "e,m,manager,listens,3\n",
            "duplicate_rating",
            3,
            "first at line 2",
        ),
        ("e,m,peer,courage,3\n", "rater_in_two_groups", 3, "manager"),
        (",m,manager,courage,3\n", "missing_value", 3, "candidate"),
        ("e,,manager,courage,3\n", "missing_value", 3, "rater"),
        ("e,m,manager\n", "ratings_syntax", 3, "fields"),
    ];
    for (row, code, line, needle) in cases {
        let e = csv_err(&format!("{ok}{row}"));
        assert_eq!(e.code(), code, "{e}");
        assert_eq!(e.location().row(), Some(line), "{e}");
        let msg = e.to_string();
        assert!(msg.starts_with(&format!("line {line}:")), "{msg}");
        assert!(msg.contains(needle), "{msg} should mention {needle}");
    }
}

#[test]
fn header_problems_are_refused() {
    let rubric = Rubric::standard();
    let e = RatingSet::from_csv_str("candidate,rater,group,score\ne,m,manager,4\n", &rubric)
        .unwrap_err();
    assert_eq!(e.code(), "missing_column");
    assert!(e.to_string().contains("`criterion`"));
    let e = RatingSet::from_csv_str("candidate,rater,group,criterion,score,extra\n", &rubric)
        .unwrap_err();
    assert_eq!(e.code(), "unknown_column");
    let e = RatingSet::from_csv_str("candidate,rater,group,criterion,score,score\n", &rubric)
        .unwrap_err();
    assert_eq!(e.code(), "ratings_syntax");
}

#[test]
fn same_rater_may_be_in_another_group_for_another_candidate_or_cycle() {
    let rubric = Rubric::standard();
    let ok = RatingSet::from_csv_str(
        &format!("{HEAD}a,m,manager,listens,4\nb,m,peer,listens,4\n"),
        &rubric,
    );
    assert!(ok.is_ok());
    let cycles = "candidate,rater,group,criterion,score,cycle\na,m,peer,listens,4,2026-Q1\na,m,manager,listens,4,2026-Q2\n";
    assert!(RatingSet::from_csv_str(cycles, &rubric).is_ok());
}

#[test]
fn empty_scores_are_kept_as_not_rated() {
    let rubric = Rubric::standard();
    let set = RatingSet::from_csv_str(
        &format!("{HEAD}e,m,manager,listens,\ne,m,manager,courage,4\n"),
        &rubric,
    )
    .unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(set.scored(), 1);
    let doc = Engine::standard().assess(&set).unwrap().remove(0);
    assert_eq!(doc.criteria[0].raw, None);
}

#[test]
fn bom_crlf_column_order_and_comments_are_accepted() {
    let text = "\u{feff}score,criterion,group,rater,candidate,comment\r\n4,listens,manager,m,e,\"said \"\"no\"\", then listened\"\r\n";
    let set = RatingSet::from_csv_str(text, &Rubric::standard()).unwrap();
    assert_eq!(set.len(), 1);
}

#[test]
fn errors_never_echo_comments_or_huge_values() {
    let huge = "x".repeat(10_000);
    let e = csv_err(&format!("e,m,manager,{huge},4\n"));
    assert!(e.to_string().len() < 600, "message is clipped");
    let e = csv_err("e,m,manager,listens,9,\n").to_string();
    assert!(!e.contains("secret"));
    let text = format!("{HEAD}e,m,manager,listens,9\n")
        .replace("score\n", "score,comment\n")
        .replace(",9\n", ",9,secret remark\n");
    let e = RatingSet::from_csv_str(&text, &Rubric::standard())
        .unwrap_err()
        .to_string();
    assert!(!e.contains("secret"), "{e}");
}

#[test]
fn json_errors_name_the_array_index() {
    let rubric = Rubric::standard();
    let cases = [
        (
            r#"[{"candidate":"e","rater":"m","group":"manager","criterion":"listens","score":4},{"candidate":"e","rater":"m","group":"manager","criterion":"listens","score":9}]"#,
            "score_out_of_scale",
            Some(1),
        ),
        (
            r#"[{"candidate":"e","rater":"m","group":"manager","criterion":"listens"}]"#,
            "missing_column",
            Some(0),
        ),
        (
            r#"[{"candidate":7,"rater":"m","group":"manager","criterion":"listens","score":4}]"#,
            "wrong_type",
            Some(0),
        ),
        (
            r#"[{"candidate":"e","rater":"m","group":"manager","criterion":"listens","score":"x"}]"#,
            "score_not_numeric",
            Some(0),
        ),
        (
            r#"[{"candidate":"e","rater":"m","group":"manager","criterion":"listens","score":4,"weight":2}]"#,
            "unknown_column",
            Some(0),
        ),
        (r#"[1]"#, "ratings_syntax", Some(0)),
        (r#"{"a":1}"#, "ratings_syntax", None),
        (r#"[{"candidate":"e""#, "ratings_syntax", None),
    ];
    for (text, code, row) in cases {
        let e = RatingSet::from_json_str(text, &rubric).unwrap_err();
        assert_eq!((e.code(), e.location().row()), (code, row), "{e}");
    }
}

#[test]
fn negative_zero_is_zero() {
    let text = "format_version = 1\nid = \"z\"\nversion = \"1\"\n[scale]\nmin = -2\nmax = 2\nstep = 1\n[rater_groups.manager]\nweight = 1\n[policy]\nlevels = [{ id = \"all\" }]\n[[dimensions]]\nid = \"d\"\nkind = \"leadership\"\nweight = 1\ncriteria = [{ id = \"c\" }]\n";
    let engine = Engine::new(Rubric::from_toml_str(text).unwrap()).unwrap();
    let a = engine
        .assess_csv(&format!("{HEAD}e,m,manager,c,-0\n"))
        .unwrap();
    let b = engine
        .assess_csv(&format!("{HEAD}e,m,manager,c,0\n"))
        .unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn fields_are_trimmed_of_unicode_whitespace_and_must_be_utf8() {
    let rubric = Rubric::standard();
    // ASCII and Unicode whitespace (no-break space, em space, vertical tab) around every field.
    let spaced = format!(
        "{HEAD} e-1\u{a0},\u{2003}m-1 ,\u{b}manager, listens\t, 4 \ne-1,m-1,manager,gives_room,5\n"
    );
    let plain = format!("{HEAD}e-1,m-1,manager,listens,4\ne-1,m-1,manager,gives_room,5\n");
    let engine = Engine::new(rubric.clone()).unwrap();
    let a = serde_json::to_string(&engine.assess_csv(&spaced).unwrap()).unwrap();
    let b = serde_json::to_string(&engine.assess_csv(&plain).unwrap()).unwrap();
    assert_eq!(a, b);
    // Invalid UTF-8 anywhere in a record, the comment included, names the line.
    for bad in [
        &b"e-1,m-1,manager,listens,4,\xff\n"[..],
        &b"e-1,m\xc3,manager,listens,4,ok\n"[..],
    ] {
        let mut text =
            b"candidate,rater,group,criterion,score,comment\ne,m,manager,listens,4,\n".to_vec();
        text.extend_from_slice(bad);
        let err = RatingSet::from_csv_reader(&text[..], &rubric).unwrap_err();
        assert_eq!(err.code(), "ratings_syntax", "{err}");
        assert_eq!(err.location().row(), Some(3), "{err}");
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }
}

#[test]
fn rows_in_any_order_and_criteria_out_of_rubric_order_give_the_same_set() {
    let rubric = Rubric::standard();
    let engine = Engine::new(rubric.clone()).unwrap();
    let rows = [
        "e-2,p-1,peer,listens,3",
        "e-1,m-1,manager,gives_room,4",
        "e-1,m-1,manager,listens,5",
        "e-1,p-1,peer,listens,2",
        "e-2,m-2,manager,listens,4",
        "e-1,m-1,manager,listens,5",
    ];
    // The last row repeats the third: a duplicate naming both lines.
    let dup = format!("{HEAD}{}\n", rows.join("\n"));
    let err = RatingSet::from_csv_str(&dup, &rubric).unwrap_err();
    assert_eq!(err.code(), "duplicate_rating");
    assert_eq!(err.location().row(), Some(7));
    let sorted = {
        let mut r = rows[..5].to_vec();
        r.sort();
        format!("{HEAD}{}\n", r.join("\n"))
    };
    let unsorted = format!("{HEAD}{}\n", rows[..5].join("\n"));
    assert_eq!(
        serde_json::to_string(&engine.assess_csv(&sorted).unwrap()).unwrap(),
        serde_json::to_string(&engine.assess_csv(&unsorted).unwrap()).unwrap()
    );
}

#[test]
fn lines_are_counted_across_multi_line_fields_and_blank_lines() {
    let rubric = Rubric::standard();
    let head = "candidate,rater,group,criterion,score,comment\n";
    // Line 2 holds a comment over three lines, line 5 is blank, so the rows after them are on
    // lines 6 and 7, not 4 and 5.
    let body = "e,m,manager,listens,4,\"one\ntwo\nthree\"\n\ne,m,manager,gives_room,5,\ne,m,manager,listens,3,\n";
    let err = RatingSet::from_csv_str(&format!("{head}{body}"), &rubric).unwrap_err();
    assert_eq!(err.code(), "duplicate_rating", "{err}");
    assert_eq!(err.location().row(), Some(7), "{err}");
    assert!(err.to_string().contains("first at line 2"), "{err}");
    let bad = "e,m,manager,listens,4,\"a\nb\"\ne,m,manager,gives_room,7,\n";
    let err = RatingSet::from_csv_str(&format!("{head}{bad}"), &rubric).unwrap_err();
    assert_eq!(
        (err.code(), err.location().row()),
        ("score_out_of_scale", Some(4))
    );
    // Sorted input without problems is taken as it is; unsorted input the same set.
    let sorted =
        "e,m,manager,gives_room,5,\"x\ny\"\ne,m,manager,listens,4,\nf,m,manager,listens,3,\n";
    let unsorted =
        "f,m,manager,listens,3,\ne,m,manager,listens,4,\ne,m,manager,gives_room,5,\"x\ny\"\n";
    let engine = Engine::new(rubric.clone()).unwrap();
    assert_eq!(
        serde_json::to_string(&engine.assess_csv(&format!("{head}{sorted}")).unwrap()).unwrap(),
        serde_json::to_string(&engine.assess_csv(&format!("{head}{unsorted}")).unwrap()).unwrap()
    );
}

#[test]
fn builder_errors_name_the_rows_given() {
    let rubric = Rubric::standard();
    let mut b = readiness::RatingSetBuilder::new(&rubric);
    for (row, (rater, crit)) in [
        (10, ("m", "listens")),
        (4, ("m", "gives_room")),
        (7, ("m", "listens")),
    ] {
        b.push("e", rater, "manager", crit, Some(3.0), None, row)
            .unwrap();
    }
    let err = b.finish().unwrap_err();
    assert_eq!(err.code(), "duplicate_rating", "{err}");
    assert_eq!(err.location().row(), Some(7), "{err}");
    assert!(err.to_string().contains("first at row [10]"), "{err}");
    // In order, a rater in a second group is still found.
    let mut b = readiness::RatingSetBuilder::new(&rubric);
    b.push("e", "m", "manager", "listens", Some(3.0), None, 0)
        .unwrap();
    b.push("e", "m", "peer", "gives_room", Some(3.0), None, 1)
        .unwrap();
    let err = b.finish().unwrap_err();
    assert_eq!(
        (err.code(), err.location().row()),
        ("rater_in_two_groups", Some(1))
    );
}

#[test]
fn a_character_split_between_two_fields_is_invalid_utf8() {
    // "m\xc3" and "\xa9manager" are each invalid although their bytes together are "mémanager".
    let text = b"candidate,rater,group,criterion,score\ne,m,manager,listens,4\ne,m\xc3,\xa9manager,listens,4\n";
    let err = RatingSet::from_csv_reader(&text[..], &Rubric::standard()).unwrap_err();
    assert_eq!(
        (err.code(), err.location().row()),
        ("ratings_syntax", Some(3)),
        "{err}"
    );
    assert!(err.to_string().contains("UTF-8"), "{err}");
}

#[test]
fn whole_scores_are_checked_against_the_scale_and_its_step() {
    let text = "format_version = 1\nid = \"s\"\nversion = \"1\"\n[scale]\nmin = 1\nmax = 5\nstep = 2\n[rater_groups.manager]\nweight = 1\n[policy]\nlevels = [{ id = \"all\" }]\n[[dimensions]]\nid = \"d\"\nkind = \"leadership\"\nweight = 1\ncriteria = [{ id = \"c\" }]\n";
    let rubric = Rubric::from_toml_str(text).unwrap();
    for (score, code) in [
        ("0", "score_out_of_scale"),
        ("2", "score_off_step"),
        ("6", "score_out_of_scale"),
        ("9", "score_out_of_scale"),
    ] {
        let err = RatingSet::from_csv_str(&format!("{HEAD}e,m,manager,c,{score}\n"), &rubric)
            .unwrap_err();
        assert_eq!(
            (err.code(), err.location().row()),
            (code, Some(2)),
            "{score}: {err}"
        );
    }
    for score in ["1", "3", "5", " 3 ", "3.0"] {
        let set =
            RatingSet::from_csv_str(&format!("{HEAD}e,m,manager,c,{score}\n"), &rubric).unwrap();
        assert_eq!(set.scored(), 1, "{score}");
    }
}
