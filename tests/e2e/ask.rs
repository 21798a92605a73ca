//! Ask in the real window: a portfolio question on the Health tab names its accounts as links; a question in an
//! account's panel answers with citation chips, and clicking one opens the cited snapshot with the field shown.

use crate::harness::App;

async fn ask(app: &App, input: &str, submit: &str, question: &str) {
    app.wait_for(input)
        .await
        .send_keys(question)
        .await
        .unwrap_or_else(|e| panic!("type into {input}: {e}"));
    app.click(submit).await;
}

#[tokio::test]
#[ignore = "needs Xvfb, dbus and tauri-driver: run through .ci/run"]
async fn ask_answers_a_portfolio_question_and_an_account_question_with_citations() {
    let dir = App::data_dir();
    App::cli(dir.path(), &["sample", "load"]);
    let app = App::launch(dir).await;
    app.wait_count("[data-testid='account-row']", 10).await;

    // The portfolio, on the Health tab.
    let portfolio = "[data-testid='ask-portfolio']";
    ask(
        &app,
        &format!("{portfolio} [data-testid='ask-portfolio-input']"),
        &format!("{portfolio} [data-testid='ask-portfolio-submit']"),
        "Which accounts are at risk?",
    )
    .await;
    let answer = app
        .wait_for(&format!("{portfolio} [data-testid='ask-answer']"))
        .await;
    assert_eq!(
        answer.attr("data-intent").await.expect("intent").as_deref(),
        Some("at_risk")
    );
    let named = app
        .wait_count(
            &format!("{portfolio} [data-testid='ask-accounts'] button"),
            1,
        )
        .await;
    let first = named[0].text().await.expect("account name");
    named[0].click().await.expect("open the named account");
    app.wait_text("[data-testid='account-panel']", |t| t.contains(&first))
        .await;

    // One account, in its panel.
    let panel = "[data-testid='account-panel']";
    ask(
        &app,
        &format!("{panel} [data-testid='ask-input']"),
        &format!("{panel} [data-testid='ask-submit']"),
        "What is the current health score?",
    )
    .await;
    app.wait_for(&format!("{panel} [data-testid='ask-answer']"))
        .await;
    let chips = app
        .wait_count(&format!("{panel} [data-testid='ask-claim']"), 1)
        .await;
    let title = chips[0]
        .attr("title")
        .await
        .expect("title")
        .expect("a chip names its snapshot and path");
    assert!(title.starts_with("Snapshot #"), "{title}");
    chips[0].click().await.expect("click the citation");
    let cited = app
        .wait_text("[data-testid='ask-cited']", |t| t.contains("snapshot #"))
        .await;
    let path = title.split(" · ").nth(1).expect("a path in the title");
    assert!(
        cited.contains(path),
        "the cited field {path} is named: {cited}"
    );
    // The field is marked where the snapshot view displays it, and scrolled into the panel's view.
    let marked = app.wait_for(&format!("{panel} [data-cited='true']")).await;
    let anchor = marked
        .attr("data-path")
        .await
        .expect("data-path")
        .expect("the marked element names the path it displays");
    assert!(
        path.starts_with(&anchor),
        "the marked element {anchor} displays the cited {path}"
    );
    let visible = app
        .client
        .execute(
            "const el = document.querySelector(arguments[0] + \" [data-cited='true']\"); \
             const body = el.closest('.panel__body').getBoundingClientRect(); \
             const r = el.getBoundingClientRect(); \
             return r.bottom > body.top && r.top < body.bottom;",
            vec![serde_json::json!(panel)],
        )
        .await
        .expect("the check runs");
    assert_eq!(
        visible,
        serde_json::json!(true),
        "the marked field is in view"
    );
    app.close().await;
}
