//! The CMS over HTTP: editors write, review, publish, schedule, revise and share content;
//! readers see only what is published, in lists, feeds, calendars and the sitemap.

use chrono::{Duration, Utc};
use pico_kernel::identity::Role;
use pico_kernel::test_support::{Browser, TestApp, field_value, texts};
use pico_kernel::{Registry, jobs, spaces};
use pico_portal::model::{self, content};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;

async fn app() -> TestApp {
    TestApp::spawn(Registry::new(vec![Arc::new(pico_portal::Portal)])).await
}

/// A signed-in person holding `role` in the space `slug` (none: a registered user).
async fn person(app: &TestApp, email: &str, role: Option<(Role, &str)>) -> Browser {
    app.signed_in(email, role).await.1
}

async fn editor(app: &TestApp, slug: &str) -> Browser {
    person(
        app,
        &format!("redazione@{slug}.it"),
        Some((Role::Editor, slug)),
    )
    .await
}

/// Creates an item through the form and returns its id.
async fn create(browser: &Browser, space: &str, kind: &str, fields: &[(&str, &str)]) -> i32 {
    let path = format!("/{space}/gestione/contenuti/nuovo/{kind}");
    let csrf = browser.csrf(&path).await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let response = browser.post_form(&path, &form).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "create {kind} in {space}"
    );
    let location = response.headers()["location"].to_str().unwrap();
    location
        .trim_start_matches(&format!("/{space}/gestione/contenuti/"))
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn step(
    browser: &Browser,
    space: &str,
    id: i32,
    to: &str,
    window: (&str, &str),
) -> StatusCode {
    let edit = format!("/{space}/gestione/contenuti/{id}");
    let csrf = browser.csrf(&edit).await;
    browser
        .post_form(
            &format!("{edit}/stato"),
            &[
                ("csrf", &csrf),
                ("to", to),
                ("publish_at", window.0),
                ("unpublish_at", window.1),
            ],
        )
        .await
        .status()
}

async fn publish(browser: &Browser, space: &str, id: i32) {
    assert_eq!(
        step(browser, space, id, "publish", ("", "")).await,
        StatusCode::SEE_OTHER
    );
}

async fn stored(app: &TestApp, id: i32) -> content::Model {
    content::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .expect("item stored")
}

fn news(title: &str) -> Vec<(&str, &str)> {
    vec![
        ("title", title),
        ("summary", "Sommario della notizia."),
        ("body", "<p>Testo della notizia.</p>"),
        ("tags", "Scuole, viabilità"),
    ]
}

#[tokio::test]
async fn a_news_item_reaches_readers_only_once_published() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let id = create(
        &editor,
        "treviso",
        "news",
        &news("Nuovi orari degli uffici"),
    )
    .await;
    let reader = app.browser();
    let url = "/treviso/notizie/nuovi-orari-degli-uffici";

    assert_eq!(
        reader.get(url).await.status(),
        StatusCode::NOT_FOUND,
        "a draft is hidden"
    );
    assert_eq!(
        step(&editor, "treviso", id, "submit", ("", "")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        model::status_of(&stored(&app, id).await),
        model::Status::Review
    );
    assert_eq!(
        reader.get(url).await.status(),
        StatusCode::NOT_FOUND,
        "in review is hidden"
    );
    let preview = editor
        .page(
            &format!("/treviso/gestione/contenuti/{id}/anteprima"),
            StatusCode::OK,
        )
        .await;
    assert!(texts(&preview, "[role=note]")[0].contains("Anteprima"));

    publish(&editor, "treviso", id).await;
    let page = reader.page(url, StatusCode::OK).await;
    assert_eq!(texts(&page, "h1"), ["Nuovi orari degli uffici"]);
    let og = scraper::Selector::parse("meta[property='og:title']").unwrap();
    assert_eq!(
        page.select(&og).next().unwrap().value().attr("content"),
        Some("Nuovi orari degli uffici")
    );
    let list = reader.page("/treviso/notizie", StatusCode::OK).await;
    assert_eq!(texts(&list, ".card-title"), ["Nuovi orari degli uffici"]);
    let tagged = reader
        .page("/treviso/notizie?argomento=viabilit%C3%A0", StatusCode::OK)
        .await;
    assert_eq!(texts(&tagged, ".card-title").len(), 1);
    let other_tag = reader
        .page("/treviso/notizie?argomento=ambiente", StatusCode::OK)
        .await;
    assert!(texts(&other_tag, ".card-title").is_empty());
    let home = reader.page("/treviso", StatusCode::OK).await;
    assert!(
        texts(&home, "#notizie-heading ~ .row .card-title")
            .contains(&"Nuovi orari degli uffici".to_owned())
    );
    assert!(
        reader
            .get("/brescia/notizie")
            .await
            .text()
            .await
            .unwrap()
            .contains("Non ci sono notizie")
    );

    assert_eq!(
        step(&editor, "treviso", id, "archive", ("", "")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        reader.get(url).await.status(),
        StatusCode::NOT_FOUND,
        "archived is hidden"
    );
}

#[tokio::test]
async fn editors_work_only_in_their_space_and_registered_users_cannot_publish() {
    let app = app().await;
    let treviso = editor(&app, "treviso").await;
    let brescia = editor(&app, "brescia").await;
    let id = create(&brescia, "brescia", "news", &news("Bando per le scuole")).await;

    assert_eq!(
        treviso.get("/brescia/gestione/contenuti").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        treviso
            .get(&format!("/brescia/gestione/contenuti/{id}"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let csrf = treviso.csrf("/treviso/gestione/contenuti/nuovo/news").await;
    let attempt = treviso
        .post_form(
            &format!("/brescia/gestione/contenuti/{id}/stato"),
            &[("csrf", &csrf), ("to", "publish")],
        )
        .await;
    assert_eq!(attempt.status(), StatusCode::FORBIDDEN);
    // Through its own space, Treviso's editor does not reach Brescia's item either.
    let sideways = treviso
        .post_form(
            &format!("/treviso/gestione/contenuti/{id}/stato"),
            &[("csrf", &csrf), ("to", "publish")],
        )
        .await;
    assert_eq!(sideways.status(), StatusCode::NOT_FOUND);
    let edit = treviso
        .post_form(
            &format!("/brescia/gestione/contenuti/{id}"),
            &[("csrf", &csrf), ("title", "Modificato da Treviso")],
        )
        .await;
    assert_eq!(edit.status(), StatusCode::FORBIDDEN);

    let user = person(&app, "cittadina@example.it", None).await;
    let csrf = user.csrf("/profilo").await;
    let publish = user
        .post_form(
            &format!("/brescia/gestione/contenuti/{id}/stato"),
            &[("csrf", &csrf), ("to", "publish")],
        )
        .await;
    assert_eq!(publish.status(), StatusCode::FORBIDDEN);
    let create = user
        .post_form(
            "/brescia/gestione/contenuti/nuovo/news",
            &[
                ("csrf", &csrf),
                ("title", "Notizia abusiva"),
                ("summary", "x"),
            ],
        )
        .await;
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
    let anonymous = app
        .browser()
        .post_form(
            &format!("/brescia/gestione/contenuti/{id}/stato"),
            &[("to", "publish")],
        )
        .await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(
        anonymous.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/accedi")
    );

    let item = stored(&app, id).await;
    assert_eq!(item.title, "Bando per le scuole");
    assert_eq!(model::status_of(&item), model::Status::Draft);
    assert_eq!(
        content::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn scripts_handlers_and_javascript_links_never_reach_a_page() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let body = r#"<p onmouseover="steal()">Testo <script>alert('x')</script><a href="javascript:alert(1)">clic</a> <a href="JaVaScRiPt:alert(2)">due</a> <img src="/x.png" onerror="alert(3)" alt="foto"><svg onload="alert(4)"></svg></p><iframe src="https://evil.example"></iframe><a href="https://www.provincia.treviso.it">sito</a>"#;
    let title = "Avviso <script>alert('titolo')</script>";
    let mut fields = news(title);
    fields[2] = ("body", body);
    let id = create(&editor, "treviso", "news", &fields).await;
    publish(&editor, "treviso", id).await;
    let slug = stored(&app, id).await.slug;

    let html = app
        .browser()
        .get(&format!("/treviso/notizie/{slug}"))
        .await
        .text()
        .await
        .unwrap();
    let page = scraper::Html::parse_document(&html);
    let article = scraper::Selector::parse(".article-body, h1").unwrap();
    for element in page.select(&article) {
        for node in element.descendants().filter_map(scraper::ElementRef::wrap) {
            let tag = node.value().name();
            assert!(
                !["script", "iframe", "svg"].contains(&tag),
                "<{tag}> reached the page"
            );
            for (name, value) in node.value().attrs() {
                assert!(!name.starts_with("on"), "{name} reached the page");
                assert!(
                    !value.trim().to_lowercase().starts_with("javascript:"),
                    "{value} reached the page"
                );
            }
        }
    }
    assert!(!html.contains("<script>alert"), "no script in the page");
    assert_eq!(
        texts(&page, "h1"),
        ["Avviso <script>alert('titolo')</script>"]
    );
    assert_eq!(
        texts(
            &page,
            ".article-body a[href='https://www.provincia.treviso.it']"
        ),
        ["sito"]
    );
}

#[tokio::test]
async fn what_the_editor_writes_is_stored_and_what_it_or_a_paste_leaves_behind_is_dropped() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    // What editor.js posts, with the classes, styles and attributes that Quill or a text pasted
    // from elsewhere could add.
    let body = concat!(
        r#"<h2 class="ql-align-center">Orari</h2><h3>Sportello</h3><h4>Sabato</h4>"#,
        r#"<p style="color: red">Aperto <strong>sempre</strong>, <em>anche</em><br>dalle 9</p>"#,
        r#"<ul><li>uno</li></ul><ol><li>due</li></ol>"#,
        r#"<p><a href="/media/bando.pdf" target="_blank" style="color: red">Bando (PDF, 2 MB)</a> "#,
        r#"<img src="/media/ponte.jpg" alt="Il ponte" width="640" height="480" class="float-start"></p>"#,
        r#"<table style="border: 1px solid #000;"><thead><tr><th scope="col">Giorno</th><th scope="col">Orario</th></tr></thead>"#,
        r#"<tbody><tr><td data-row="row-1" rowspan="2">Lunedì</td><td colspan="2" onclick="x()">9–12</td></tr></tbody></table>"#,
    );
    let mut fields = news("Orari degli uffici");
    fields[2] = ("body", body);
    let id = create(&editor, "treviso", "news", &fields).await;

    assert_eq!(
        stored(&app, id).await.body,
        concat!(
            "<h2>Orari</h2><h3>Sportello</h3><h4>Sabato</h4>",
            "<p>Aperto <strong>sempre</strong>, <em>anche</em><br>dalle 9</p>",
            "<ul><li>uno</li></ul><ol><li>due</li></ol>",
            r#"<p><a href="/media/bando.pdf" rel="noopener noreferrer">Bando (PDF, 2 MB)</a> "#,
            r#"<img src="/media/ponte.jpg" alt="Il ponte" width="640" height="480"></p>"#,
            r#"<table><thead><tr><th scope="col">Giorno</th><th scope="col">Orario</th></tr></thead>"#,
            r#"<tbody><tr><td rowspan="2">Lunedì</td><td colspan="2">9–12</td></tr></tbody></table>"#,
        )
    );
}

#[tokio::test]
async fn only_the_content_form_loads_the_editor_and_without_it_the_body_is_a_plain_field() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let form = editor
        .page("/treviso/gestione/contenuti/nuovo/news", StatusCode::OK)
        .await;
    let root = format!("/static/{}/", pico_assets::VERSION);
    // The static files a page loads besides those every page loads.
    let loaded = |page: &scraper::Html, selector: &str, attr: &str| -> Vec<String> {
        let selector = scraper::Selector::parse(selector).unwrap();
        page.select(&selector)
            .filter_map(|e| e.value().attr(attr)?.strip_prefix(&root))
            .filter(|s| !s.starts_with("bi/") && !["pico/pico.js", "pico/pico.css"].contains(s))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(loaded(&form, "script", "src"), pico_assets::EDITOR.scripts);
    assert_eq!(
        loaded(&form, "link[rel=stylesheet]", "href"),
        pico_assets::EDITOR.stylesheets
    );
    for path in pico_assets::EDITOR
        .scripts
        .iter()
        .chain(pico_assets::EDITOR.stylesheets)
    {
        assert_eq!(
            app.get(&format!("{root}{path}")).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    assert_eq!(
        texts(&form, "textarea#body[name=body][data-editor]").len(),
        1
    );

    let home = app.browser().page("/treviso", StatusCode::OK).await;
    assert!(loaded(&home, "script", "src").is_empty());
}

#[tokio::test]
async fn a_scheduled_publication_waits_for_its_time_and_a_closing_window_archives() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let id = create(&editor, "treviso", "news", &news("Chiusura estiva")).await;
    let later = (Utc::now() + Duration::hours(2)).with_timezone(&chrono_tz::Europe::Rome);
    let later = later.format("%Y-%m-%dT%H:%M").to_string();
    assert_eq!(
        step(&editor, "treviso", id, "publish", (&later, "")).await,
        StatusCode::SEE_OTHER
    );

    let reader = app.browser();
    let url = "/treviso/notizie/chiusura-estiva";
    assert_eq!(
        reader.get(url).await.status(),
        StatusCode::NOT_FOUND,
        "not before its time"
    );
    let desk = editor
        .page("/treviso/gestione/contenuti", StatusCode::OK)
        .await;
    assert!(desk.html().contains("Programmato: visibile dal"));
    let queued = jobs::model::Entity::find()
        .filter(jobs::model::Column::Kind.eq("portale.schedule"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(queued.len(), 1, "one job opens the window");
    assert!(queued[0].run_at > Utc::now() + Duration::minutes(110));

    // Time passes: the window opens.
    let mut item: content::ActiveModel = stored(&app, id).await.into();
    item.publish_at = Set(Some(Utc::now() - Duration::minutes(1)));
    item.update(&app.state.db).await.unwrap();
    assert_eq!(reader.get(url).await.status(), StatusCode::OK);

    // An end date closes it: the job archives the item.
    assert_eq!(
        step(&editor, "treviso", id, "archive", ("", "")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&editor, "treviso", id, "draft", ("", "")).await,
        StatusCode::SEE_OTHER
    );
    let until = (Utc::now() + Duration::hours(1)).with_timezone(&chrono_tz::Europe::Rome);
    let until = until.format("%Y-%m-%dT%H:%M").to_string();
    assert_eq!(
        step(&editor, "treviso", id, "publish", ("", &until)).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(reader.get(url).await.status(), StatusCode::OK);
    let mut item: content::ActiveModel = stored(&app, id).await.into();
    item.unpublish_at = Set(Some(Utc::now() - Duration::seconds(1)));
    item.update(&app.state.db).await.unwrap();
    jobs::model::Entity::update_many()
        .col_expr(
            jobs::model::Column::RunAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(jobs::model::Column::Kind.eq("portale.schedule"))
        .exec(&app.state.db)
        .await
        .unwrap();
    app.run_jobs().await;
    assert_eq!(
        model::status_of(&stored(&app, id).await),
        model::Status::Archived
    );
    assert_eq!(reader.get(url).await.status(), StatusCode::NOT_FOUND);

    let before = (Utc::now() - Duration::hours(1)).with_timezone(&chrono_tz::Europe::Rome);
    let before = before.format("%Y-%m-%dT%H:%M").to_string();
    assert_eq!(
        step(&editor, "treviso", id, "draft", ("", "")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        step(&editor, "treviso", id, "publish", ("", &before)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a window that ends before it starts is refused"
    );
    assert_eq!(
        model::status_of(&stored(&app, id).await),
        model::Status::Draft
    );
}

#[tokio::test]
async fn revisions_show_what_changed_and_restore_brings_an_older_text_back() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let id = create(
        &editor,
        "treviso",
        "page",
        &[("title", "Uffici"), ("body", "<p>Aperti il lunedì.</p>")],
    )
    .await;
    let edit = format!("/treviso/gestione/contenuti/{id}");
    let form = editor.page(&edit, StatusCode::OK).await;
    let csrf = field_value(&form, "csrf");
    let saved = editor
        .post_form(
            &edit,
            &[
                ("csrf", &csrf),
                ("title", "Uffici"),
                ("slug", "uffici"),
                ("body", "<p>Aperti il martedì.</p>"),
                ("note", "Cambio del giorno"),
            ],
        )
        .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(stored(&app, id).await.revision, 2);

    let diff = editor
        .page(&format!("{edit}/revisioni?da=1&a=2"), StatusCode::OK)
        .await;
    assert_eq!(texts(&diff, ".revision-diff del"), ["lunedì."]);
    assert_eq!(texts(&diff, ".revision-diff ins"), ["martedì."]);
    assert!(texts(&diff, "td").contains(&"Cambio del giorno".to_owned()));

    let restored = editor
        .post_form(
            &format!("{edit}/revisioni/ripristina"),
            &[("csrf", &csrf), ("number", "1")],
        )
        .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    let item = stored(&app, id).await;
    assert_eq!(item.revision, 3);
    assert_eq!(item.body, "<p>Aperti il lunedì.</p>");
    publish(&editor, "treviso", id).await;
    let page = app
        .browser()
        .page("/treviso/pagine/uffici", StatusCode::OK)
        .await;
    assert_eq!(texts(&page, ".article-body p"), ["Aperti il lunedì."]);
    let home = app.browser().page("/treviso", StatusCode::OK).await;
    assert!(
        texts(&home, ".navbar-nav .nav-link").contains(&"Uffici".to_owned()),
        "top pages join the menu"
    );
}

#[tokio::test]
async fn a_form_with_mistakes_comes_back_with_italian_messages_and_stores_nothing() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let path = "/treviso/gestione/contenuti/nuovo/event";
    let csrf = editor.csrf(path).await;
    let response = editor
        .post_form(
            path,
            &[
                ("csrf", &csrf),
                ("title", "Convegno"),
                ("starts_at", "2026-12-10T10:00"),
                ("ends_at", "2026-12-09T10:00"),
                ("online_url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = scraper::Html::parse_document(&response.text().await.unwrap());
    let messages = texts(&page, ".alert-danger li");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("La fine dell'evento viene prima dell'inizio")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("indirizzo web completo")),
        "{messages:?}"
    );
    assert_eq!(
        field_value(&page, "title"),
        "Convegno",
        "what was typed comes back"
    );
    assert!(
        content::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .is_empty()
    );

    let first = create(&editor, "treviso", "news", &news("Doppione")).await;
    let again = editor
        .post_form(
            "/treviso/gestione/contenuti/nuovo/news",
            &[("csrf", &csrf), ("title", "Doppione"), ("summary", "x")],
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "two items cannot share an address"
    );
    assert_eq!(
        content::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(stored(&app, first).await.slug, "doppione");
}

#[tokio::test]
async fn what_upi_shares_appears_on_the_provinces_below_until_one_declines() {
    let app = app().await;
    let national = spaces::national(&app.state.db).await.unwrap();
    let upi = editor(&app, &national.slug).await;
    let veneto = editor(&app, "upi-veneto").await;
    let mut shared = news("Giornata nazionale delle Province");
    shared.push(("shared", "on"));
    let id = create(&upi, &national.slug, "news", &shared).await;
    publish(&upi, &national.slug, id).await;
    let mut regional = news("Incontro delle Province venete");
    regional.push(("shared", "on"));
    let regional_id = create(&veneto, "upi-veneto", "news", &regional).await;
    publish(&veneto, "upi-veneto", regional_id).await;

    let reader = app.browser();
    let treviso = reader.page("/treviso/notizie", StatusCode::OK).await;
    let mut titles = texts(&treviso, ".card-title");
    titles.sort();
    assert_eq!(
        titles,
        [
            "Giornata nazionale delle Province",
            "Incontro delle Province venete"
        ]
    );
    assert!(
        texts(&treviso, ".badge")
            .iter()
            .any(|b| b.contains(&national.name))
    );
    let brescia = reader.page("/brescia/notizie", StatusCode::OK).await;
    assert_eq!(
        texts(&brescia, ".card-title"),
        ["Giornata nazionale delle Province"],
        "Veneto shares with Veneto only"
    );
    let item = reader
        .page(
            "/treviso/notizie/giornata-nazionale-delle-province",
            StatusCode::OK,
        )
        .await;
    assert!(
        texts(&item, ".badge")[0].contains(&national.name),
        "marked as coming from UPI"
    );
    assert_eq!(
        content::Entity::find()
            .all(&app.state.db)
            .await
            .unwrap()
            .len(),
        2,
        "nothing copied"
    );

    let provincial = editor(&app, "treviso").await;
    let csrf = provincial.csrf("/treviso/gestione/condivisi").await;
    let declined = provincial
        .post_form(
            "/treviso/gestione/condivisi",
            &[
                ("csrf", &csrf),
                ("content_id", &id.to_string()),
                ("show", "0"),
            ],
        )
        .await;
    assert_eq!(declined.status(), StatusCode::SEE_OTHER);
    let treviso = reader.page("/treviso/notizie", StatusCode::OK).await;
    assert_eq!(
        texts(&treviso, ".card-title"),
        ["Incontro delle Province venete"]
    );
    assert_eq!(
        reader
            .get("/treviso/notizie/giornata-nazionale-delle-province")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let brescia = reader.page("/brescia/notizie", StatusCode::OK).await;
    assert_eq!(
        texts(&brescia, ".card-title"),
        ["Giornata nazionale delle Province"]
    );

    // A Province cannot share: it has no space below.
    let csrf = provincial
        .csrf("/treviso/gestione/contenuti/nuovo/news")
        .await;
    let mut attempt = vec![("csrf", csrf.as_str())];
    attempt.extend(news("Da Treviso a tutti"));
    attempt.push(("shared", "on"));
    let refused = provincial
        .post_form("/treviso/gestione/contenuti/nuovo/news", &attempt)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn home_pages_show_what_editors_put_in_evidence_and_their_links_and_feeds() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let mut fields = news("Bando in evidenza");
    fields.push(("highlighted", "on"));
    let id = create(&editor, "treviso", "news", &fields).await;
    publish(&editor, "treviso", id).await;
    let csrf = editor.csrf("/treviso/gestione/link").await;
    let added = editor
        .post_form(
            "/treviso/gestione/link",
            &[
                ("csrf", &csrf),
                ("label", "Albo pretorio"),
                ("url", "https://www.provincia.treviso.it/albo"),
            ],
        )
        .await;
    assert_eq!(added.status(), StatusCode::SEE_OTHER);
    let bad = editor
        .post_form(
            "/treviso/gestione/link",
            &[
                ("csrf", &csrf),
                ("label", "X"),
                ("url", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let home = app.browser().page("/treviso", StatusCode::OK).await;
    assert_eq!(
        texts(&home, "#evidenza-heading ~ .row .card-title"),
        ["Bando in evidenza"]
    );
    assert_eq!(
        texts(
            &home,
            ".link-list a[href='https://www.provincia.treviso.it/albo']"
        ),
        ["Albo pretorio"]
    );
    let alternates = scraper::Selector::parse("link[rel=alternate]").unwrap();
    let feeds: Vec<(String, String)> = home
        .select(&alternates)
        .map(|l| {
            (
                l.value().attr("type").unwrap().to_owned(),
                l.value().attr("href").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        feeds,
        [
            (
                "application/atom+xml".to_owned(),
                "/treviso/feed.atom".to_owned()
            ),
            (
                "application/rss+xml".to_owned(),
                "/treviso/feed.rss".to_owned()
            ),
            ("text/calendar".to_owned(), "/treviso/eventi.ics".to_owned()),
        ]
    );
    for (mime, href) in feeds {
        let response = app.browser().get(&href).await;
        assert_eq!(response.status(), StatusCode::OK, "{href}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(&mime)
        );
    }
}

#[tokio::test]
async fn the_sitemap_lists_what_readers_see_and_robots_points_to_it() {
    let app = app().await;
    let editor = editor(&app, "treviso").await;
    let published = create(&editor, "treviso", "news", &news("Pubblicata")).await;
    publish(&editor, "treviso", published).await;
    create(&editor, "treviso", "news", &news("Ancora bozza")).await;
    let sitemap = app
        .browser()
        .get("/sitemap.xml")
        .await
        .text()
        .await
        .unwrap();
    assert!(sitemap.contains("/treviso/notizie/pubblicata</loc>"));
    assert!(!sitemap.contains("ancora-bozza"));
    assert!(sitemap.contains("/brescia</loc>"));
    let robots = app.browser().get("/robots.txt").await.text().await.unwrap();
    assert!(robots.contains(&format!(
        "Sitemap: {}",
        app.state.config.url("/sitemap.xml")
    )));
    assert!(robots.contains("Disallow: /*/gestione"));
}
