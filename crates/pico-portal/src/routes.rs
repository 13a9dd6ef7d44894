use super::{
    articles, comuni, directory, feeds, home, legal, links, manage, media, revisions, search, seo,
    shared, upload, workflow,
};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use pico_kernel::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::national))
        .route("/spazi", get(directory::show))
        .route("/accessibilita", get(legal::accessibility))
        .route("/privacy", get(legal::privacy))
        .route("/note-legali", get(legal::legal_notes))
        .route("/robots.txt", get(seo::robots))
        .route("/sitemap.xml", get(seo::sitemap))
        .route("/cerca", get(search::show))
        .route("/{space}", get(home::space))
        .route("/{space}/comuni", get(comuni::show))
        .route("/{space}/notizie", get(articles::news))
        .route("/{space}/notizie/{slug}", get(articles::show_news))
        .route("/{space}/eventi", get(articles::events))
        .route("/{space}/eventi/{slug}", get(articles::show_event))
        .route("/{space}/eventi/{slug}/evento.ics", get(feeds::event_file))
        .route("/{space}/eventi.ics", get(feeds::calendar_feed))
        .route("/{space}/pagine/{slug}", get(articles::show_page))
        .route("/{space}/feed.atom", get(feeds::atom))
        .route("/{space}/feed.rss", get(feeds::rss))
        .route("/{space}/gestione/contenuti", get(manage::list))
        .route(
            "/{space}/gestione/contenuti/nuovo/{kind}",
            get(manage::new_form).post(manage::create),
        )
        .route(
            "/{space}/gestione/contenuti/{id}",
            get(manage::edit_form).post(manage::save),
        )
        .route(
            "/{space}/gestione/contenuti/{id}/stato",
            post(workflow::change),
        )
        .route(
            "/{space}/gestione/contenuti/{id}/anteprima",
            get(articles::preview),
        )
        .route(
            "/{space}/gestione/contenuti/{id}/revisioni",
            get(revisions::history),
        )
        .route(
            "/{space}/gestione/contenuti/{id}/revisioni/ripristina",
            post(revisions::restore),
        )
        .route(
            "/{space}/gestione/contenuti/{id}/elimina",
            post(manage::delete),
        )
        .route(
            "/{space}/gestione/condivisi",
            get(shared::show).post(shared::choose),
        )
        .route("/{space}/gestione/link", get(links::show).post(links::add))
        .route("/{space}/gestione/link/rimuovi", post(links::remove))
        .route("/{space}/gestione/media", get(media::list))
        .route("/{space}/gestione/media/scelta", get(media::choices))
        .route(
            "/{space}/gestione/media/carica",
            get(media::upload_form)
                .post(media::upload)
                .layer(DefaultBodyLimit::max(upload::BODY_LIMIT)),
        )
        .route(
            "/{space}/gestione/media/{id}",
            get(media::edit_form).post(media::save),
        )
        .route("/{space}/gestione/media/{id}/elimina", post(media::delete))
}
