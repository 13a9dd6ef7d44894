//! Site search over the content: Italian inflections, only what the reader may see, and an
//! index that follows publishing, editing and archiving at once.

use pico_kernel::identity::{self, Role};
use pico_kernel::test_support::{Browser, PASSWORD, TestApp, texts};
use pico_kernel::{Registry, spaces};
use reqwest::StatusCode;
use std::sync::Arc;

async fn editor(app: &TestApp, slug: &str) -> Browser {
    let email = format!("redazione@{slug}.it");
    let person = identity::create_person(&app.state.db, &email, &email, PASSWORD, false)
        .await
        .unwrap();
    let space = spaces::by_slug(&app.state.db, slug).await.unwrap().unwrap();
    identity::grant(
        &app.state.db,
        person.id,
        Role::Editor,
        Some(space.id),
        None,
        None,
    )
    .await
    .unwrap();
    app.browser_of(person.id).await
}

/// Creates a news item in Treviso; returns the path of its edit page.
async fn write(editor: &Browser, title: &str, body: &str) -> String {
    let path = "/treviso/gestione/contenuti/nuovo/news";
    let csrf = editor.csrf(path).await;
    let response = editor
        .post_form(
            path,
            &[
                ("csrf", &csrf),
                ("title", title),
                ("summary", "Avviso."),
                ("body", body),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response.headers()["location"]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn step(editor: &Browser, edit: &str, to: &str) {
    let csrf = editor.csrf(edit).await;
    let response = editor
        .post_form(&format!("{edit}/stato"), &[("csrf", &csrf), ("to", to)])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

async fn titles(browser: &Browser, query: &str) -> Vec<String> {
    let page = browser
        .page(
            &format!("/cerca?q={}", query.replace(' ', "+")),
            StatusCode::OK,
        )
        .await;
    texts(&page, ".search-results h2")
}

#[tokio::test]
async fn readers_find_published_content_by_italian_inflections_and_nothing_hidden() {
    let app = TestApp::spawn(Registry::new(vec![Arc::new(pico_portal::Portal)])).await;
    let treviso = editor(&app, "treviso").await;
    let brescia = editor(&app, "brescia").await;
    let reader = app.browser();
    let edit = write(
        &treviso,
        "Nuovo appalto per le scuole",
        "<p>La gara riguarda la manutenzione delle città.</p>",
    )
    .await;

    assert!(
        titles(&reader, "appalti").await.is_empty(),
        "a draft is not found by readers"
    );
    assert!(
        titles(&brescia, "appalti").await.is_empty(),
        "nor by another Province's editors"
    );
    assert_eq!(
        titles(&treviso, "appalti").await,
        ["Nuovo appalto per le scuole"],
        "its editors find it"
    );

    step(&treviso, &edit, "publish").await;
    assert_eq!(
        titles(&reader, "appalti").await,
        ["Nuovo appalto per le scuole"],
        "found at once"
    );
    assert_eq!(
        titles(&reader, "scuola").await,
        ["Nuovo appalto per le scuole"]
    );
    assert_eq!(
        titles(&reader, "citta manutenzioni").await,
        ["Nuovo appalto per le scuole"]
    );
    assert!(titles(&reader, "ospedale").await.is_empty());
    let page = reader.page("/cerca?q=appalti", StatusCode::OK).await;
    assert_eq!(
        texts(&page, ".search-results h2 mark"),
        ["appalto"],
        "matched words are marked"
    );
    assert!(
        texts(&page, "aside a")[0].starts_with("Provincia di Treviso (1)"),
        "facet by space"
    );

    let csrf = treviso.csrf(&edit).await;
    let renamed = treviso
        .post_form(
            &edit,
            &[
                ("csrf", &csrf),
                ("title", "Bando per le palestre"),
                ("slug", "nuovo-appalto-per-le-scuole"),
                ("summary", "Avviso."),
                ("body", "<p>Palestre.</p>"),
            ],
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
    assert!(
        titles(&reader, "appalti").await.is_empty(),
        "an edit replaces the old text"
    );
    assert_eq!(titles(&reader, "palestra").await, ["Bando per le palestre"]);

    step(&treviso, &edit, "archive").await;
    assert!(
        titles(&reader, "palestra").await.is_empty(),
        "archived content leaves the index"
    );
    let weird = reader
        .page("/cerca?q=%22%28AND+-%3A%5B", StatusCode::OK)
        .await;
    assert_eq!(texts(&weird, "[role=status]"), ["Nessun risultato."]);
}
