use chrono::{TimeZone, Utc};
use pico_search::{Document, Facet, Query, Results, SearchIndex};

fn doc(key: &str, title: &str, body: &str) -> Document {
    Document {
        key: key.to_owned(),
        kind: "news".to_owned(),
        space: "treviso".to_owned(),
        space_name: "Provincia di Treviso".to_owned(),
        title: title.to_owned(),
        body: body.to_owned(),
        url: format!("/{key}"),
        date: None,
        audience: vec!["public".to_owned()],
    }
}

fn index_with(docs: Vec<Document>) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.apply(docs, vec![], None).unwrap();
    index
}

fn search(index: &SearchIndex, text: &str) -> Results {
    index
        .search(&Query {
            text: text.to_owned(),
            ..Query::default()
        })
        .unwrap()
}

fn keys(results: &Results) -> Vec<&str> {
    results.hits.iter().map(|hit| hit.key.as_str()).collect()
}

fn facet(value: &str, label: &str, count: usize) -> Facet {
    Facet {
        value: value.to_owned(),
        label: label.to_owned(),
        count,
    }
}

#[test]
fn index_is_shareable() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<SearchIndex>();
}

#[test]
fn singular_and_plural_meet() {
    let index = index_with(vec![
        doc("appalto", "Esito", "Aggiudicato l'appalto per il ponte."),
        doc("scuole", "Orari", "Le scuole riaprono lunedì."),
        doc("strada", "Viabilità", "Chiusa la strada per Asolo."),
        doc("stradale", "Sicurezza", "Il codice stradale cambia."),
        doc("provincia", "Ente", "La provincia informa."),
        doc("finanz", "Fondi", "Nuovi finanziamenti regionali."),
        doc("edificio", "Sede", "L'edificio storico."),
    ]);
    assert_eq!(keys(&search(&index, "appalti")), ["appalto"]);
    assert_eq!(keys(&search(&index, "scuola")), ["scuole"]);
    assert_eq!(keys(&search(&index, "strade")), ["strada"]);
    assert_eq!(keys(&search(&index, "Province")), ["provincia"]);
    assert_eq!(keys(&search(&index, "finanziamento")), ["finanz"]);
    assert_eq!(keys(&search(&index, "edificio")), ["edificio"]);
    // What the Italian Snowball stemmer does not do: derived words keep their suffix
    // ("stradal"), and "edifici" loses its "ic" as if it were an adjective ("edif").
    assert_eq!(keys(&search(&index, "stradale")), ["stradale"]);
    assert!(search(&index, "edifici").hits.is_empty());
}

#[test]
fn accents_are_folded() {
    let index = index_with(vec![
        doc("città", "La città", "Attività per l'università."),
        doc("citta", "Perché no", "In citta senza accento."),
    ]);
    let results = search(&index, "citta");
    let mut both = keys(&results);
    both.sort();
    assert_eq!(both, ["citta", "città"]);
    assert_eq!(search(&index, "CITTÀ").total, 2);
    assert_eq!(keys(&search(&index, "universita attivita")), ["città"]);
}

#[test]
fn stop_words_are_ignored() {
    let index = index_with(vec![doc("bando", "Bando", "Bando aperto.")]);
    assert_eq!(
        keys(&search(&index, "il bando di gara")),
        Vec::<&str>::new()
    );
    assert_eq!(keys(&search(&index, "il bando per")), ["bando"]);
    // Also when typed without the accent.
    assert_eq!(keys(&search(&index, "perche piu bando")), ["bando"]);
    // A query made only of stop words finds nothing.
    assert_eq!(search(&index, "il di").total, 0);
}

#[test]
fn all_terms_must_match() {
    let index = index_with(vec![
        doc("a", "Appalto", "Lavori alla scuola media."),
        doc("b", "Appalto", "Lavori alla strada provinciale."),
    ]);
    assert_eq!(keys(&search(&index, "appalto scuola")), ["a"]);
    assert_eq!(search(&index, "appalto").total, 2);
    assert_eq!(search(&index, "appalto -scuola").total, 1);
    assert_eq!(search(&index, "scuola OR strada").total, 2);
    // Exclusions alone find nothing rather than everything else.
    assert_eq!(search(&index, "-scuola").total, 0);
}

#[test]
fn phrases_match_in_order() {
    let index = index_with(vec![
        doc("a", "Avviso", "Il bando di gara è pubblicato."),
        doc("b", "Avviso", "La gara è chiusa, il bando resta."),
    ]);
    assert_eq!(keys(&search(&index, "\"bando di gara\"")), ["a"]);
}

#[test]
fn title_matches_rank_first() {
    let index = index_with(vec![
        doc(
            "body",
            "Notizie dalla provincia",
            "Manutenzione, manutenzione e ancora manutenzione delle strade.",
        ),
        doc(
            "title",
            "Manutenzione delle strade",
            "Il calendario dei lavori estivi sulle provinciali.",
        ),
    ]);
    assert_eq!(keys(&search(&index, "manutenzione")), ["title", "body"]);
}

#[test]
fn hidden_documents_leave_no_trace() {
    let mut editors = doc("bozza", "Bozza del bando", "Bando riservato.");
    editors.audience = vec!["editors:3".to_owned()];
    editors.space = "belluno".to_owned();
    editors.space_name = "Provincia di Belluno".to_owned();
    editors.kind = "page".to_owned();
    let mut person = doc("mio", "Il mio bando", "Bando personale.");
    person.audience = vec!["person:17".to_owned(), "editors:4".to_owned()];
    let index = index_with(vec![
        doc("pub", "Bando pubblico", "Bando."),
        editors,
        person,
    ]);

    let public = search(&index, "bando");
    assert_eq!(keys(&public), ["pub"]);
    assert_eq!(public.total, 1);
    assert_eq!(public.spaces, [facet("treviso", "Provincia di Treviso", 1)]);
    assert_eq!(public.kinds, [facet("news", "news", 1)]);

    let editor = index
        .search(&Query {
            text: "bando".to_owned(),
            audience: vec!["public".to_owned(), "editors:3".to_owned()],
            ..Query::default()
        })
        .unwrap();
    assert_eq!(editor.total, 2);
    assert_eq!(editor.spaces.len(), 2);
    assert_eq!(editor.kinds.len(), 2);

    let owner = index
        .search(&Query {
            text: "bando".to_owned(),
            audience: vec!["person:17".to_owned()],
            ..Query::default()
        })
        .unwrap();
    assert_eq!(keys(&owner), ["mio"]);

    let nobody = index
        .search(&Query {
            text: "bando".to_owned(),
            audience: vec![],
            ..Query::default()
        })
        .unwrap();
    assert_eq!(nobody, Results::default());
}

#[test]
fn filters_narrow_results_and_facets_ignore_their_own_filter() {
    let mut docs = Vec::new();
    for (i, (space, name, kind)) in [
        ("treviso", "Provincia di Treviso", "news"),
        ("treviso", "Provincia di Treviso", "news"),
        ("treviso", "Provincia di Treviso", "event"),
        ("belluno", "Provincia di Belluno", "news"),
        ("belluno", "Provincia di Belluno", "page"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut d = doc(&i.to_string(), "Scuola", "Orari della scuola.");
        d.space = space.to_owned();
        d.space_name = name.to_owned();
        d.kind = kind.to_owned();
        docs.push(d);
    }
    let index = index_with(docs);

    let all = search(&index, "scuola");
    assert_eq!(all.total, 5);
    assert_eq!(
        all.spaces,
        [
            facet("treviso", "Provincia di Treviso", 3),
            facet("belluno", "Provincia di Belluno", 2),
        ]
    );
    assert_eq!(
        all.kinds,
        [
            facet("news", "news", 3),
            facet("event", "event", 1),
            facet("page", "page", 1),
        ]
    );

    let treviso_news = index
        .search(&Query {
            text: "scuola".to_owned(),
            space: Some("treviso".to_owned()),
            kind: Some("news".to_owned()),
            ..Query::default()
        })
        .unwrap();
    assert_eq!(treviso_news.total, 2);
    assert_eq!(treviso_news.hits.len(), 2);
    assert!(treviso_news.hits.iter().all(|hit| hit.space == "treviso"));
    // Spaces counted within the kind "news", kinds within the space "treviso".
    assert_eq!(
        treviso_news.spaces,
        [
            facet("treviso", "Provincia di Treviso", 2),
            facet("belluno", "Provincia di Belluno", 1),
        ]
    );
    assert_eq!(
        treviso_news.kinds,
        [facet("news", "news", 2), facet("event", "event", 1)]
    );

    let unknown = index
        .search(&Query {
            text: "scuola".to_owned(),
            space: Some("padova".to_owned()),
            ..Query::default()
        })
        .unwrap();
    assert_eq!(unknown.total, 0);
    assert!(unknown.hits.is_empty());
    assert_eq!(unknown.spaces.len(), 2);
}

#[test]
fn pages_through_results() {
    let docs = (0..25)
        .map(|i| doc(&format!("d{i:02}"), "Gara", &"gara ".repeat(i + 1)))
        .collect();
    let index = index_with(docs);
    let page = |offset, limit| {
        index
            .search(&Query {
                text: "gara".to_owned(),
                offset,
                limit,
                ..Query::default()
            })
            .unwrap()
    };
    let first = page(0, 10);
    let second = page(10, 10);
    let last = page(20, 10);
    assert_eq!((first.total, first.hits.len()), (25, 10));
    assert_eq!(last.hits.len(), 5);
    let mut seen: Vec<_> = [first, second, last]
        .iter()
        .flat_map(|r| r.hits.iter().map(|hit| hit.key.clone()))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25);

    let counts_only = page(0, 0);
    assert_eq!((counts_only.total, counts_only.hits.len()), (25, 0));
    assert_eq!(page(0, 1_000).hits.len(), 25);
    assert_eq!(page(usize::MAX, usize::MAX).hits.len(), 0);
}

#[test]
fn hits_carry_the_document() {
    let mut d = doc("portale:news:42", "Nuovo bando", "Testo del bando.");
    d.date = Some(Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap());
    let index = index_with(vec![d.clone()]);
    let hit = search(&index, "bando").hits.remove(0);
    assert_eq!(hit.key, d.key);
    assert_eq!(hit.kind, "news");
    assert_eq!(hit.space, "treviso");
    assert_eq!(hit.space_name, "Provincia di Treviso");
    assert_eq!(hit.title, "Nuovo bando");
    assert_eq!(hit.url, "/portale:news:42");
    assert_eq!(hit.date, d.date);
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let index = index_with(vec![
        doc("a", "Vecchio titolo", "Manutenzione del ponte."),
        doc("b", "Altro", "Altro testo."),
    ]);
    index
        .apply(
            vec![doc("a", "Nuovo titolo", "Chiusura della galleria.")],
            vec![],
            None,
        )
        .unwrap();
    assert_eq!(index.len(), 2);
    assert_eq!(search(&index, "ponte").total, 0);
    assert_eq!(keys(&search(&index, "galleria")), ["a"]);

    index.apply(vec![], vec!["a".to_owned()], None).unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(search(&index, "galleria").total, 0);
    // Deleting a missing key is not an error.
    index.apply(vec![], vec!["zzz".to_owned()], None).unwrap();
    assert_eq!(index.len(), 1);
}

#[test]
fn checkpoints_follow_commits() {
    let index = SearchIndex::in_memory().unwrap();
    assert!(index.is_empty());
    assert_eq!(index.checkpoint(), None);
    index
        .apply(vec![doc("a", "A", "a")], vec![], Some(7))
        .unwrap();
    assert_eq!(index.checkpoint(), Some(7));
    index.apply(vec![doc("b", "B", "b")], vec![], None).unwrap();
    assert_eq!(index.checkpoint(), Some(7));
    index.rebuild(vec![doc("c", "C", "c")], None).unwrap();
    assert_eq!(index.checkpoint(), Some(7));
    index.rebuild(vec![], Some(8)).unwrap();
    assert_eq!(index.checkpoint(), Some(8));
    assert!(index.is_empty());
}

#[test]
fn rebuild_replaces_everything() {
    let index = index_with(vec![doc("old", "Vecchio", "Ponte.")]);
    let count = index
        .rebuild(
            (0..3).map(|i| doc(&format!("new{i}"), "Nuovo", "Galleria.")),
            Some(99),
        )
        .unwrap();
    assert_eq!(count, 3);
    assert_eq!(index.len(), 3);
    assert_eq!(index.checkpoint(), Some(99));
    assert_eq!(search(&index, "ponte").total, 0);
    assert_eq!(search(&index, "galleria").total, 3);
}

#[test]
fn reopening_keeps_documents_and_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert!(index.is_empty());
        index
            .apply(vec![doc("a", "Appalto", "Lavori.")], vec![], Some(42))
            .unwrap();
        // One index per directory: the writer lock keeps a second one out.
        assert!(SearchIndex::open(dir.path()).is_err());
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(index.checkpoint(), Some(42));
    assert_eq!(keys(&search(&index, "appalti")), ["a"]);
}

#[test]
fn an_incompatible_index_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut schema = tantivy::schema::Schema::builder();
        let field = schema.add_text_field("title", tantivy::schema::TEXT);
        let old = tantivy::Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer: tantivy::IndexWriter = old.writer(15_000_000).unwrap();
        writer
            .add_document(tantivy::doc!(field => "vecchio"))
            .unwrap();
        writer.commit().unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.is_empty());
    index
        .apply(vec![doc("a", "A", "a")], vec![], Some(1))
        .unwrap();
    drop(index);
    assert_eq!(SearchIndex::open(dir.path()).unwrap().len(), 1);
}

#[test]
fn a_corrupt_index_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("meta.json"), "{ not json").unwrap();
    std::fs::write(dir.path().join("stale.idx"), "").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(index.is_empty());
    assert!(!dir.path().join("stale.idx").exists());
}

#[test]
fn a_directory_without_an_index_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    index.apply(vec![doc("a", "A", "a")], vec![], None).unwrap();
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn any_user_input_is_a_query() {
    let index = index_with(vec![doc(
        "a",
        "Bando (2025)",
        "Emilia-Romagna. Scadenza: ore 12:00 - \"urgente\".",
    )]);
    for text in [
        "",
        "   ",
        "\"",
        "\"bando",
        "bando\"",
        ":",
        "title:",
        "bando:",
        "ore 12:00",
        "(",
        ")",
        "((bando",
        "bando))",
        "[",
        "]",
        "{",
        "[1 TO",
        "AND",
        "OR",
        "NOT",
        "bando AND",
        "AND bando",
        "bando OR OR",
        "-",
        "--bando",
        "-bando",
        "+",
        "*",
        "ban*",
        "~",
        "bando~2",
        "^",
        "bando^",
        "bando^abc",
        "\\",
        "/regex/",
        "audience:public",
        "nonexistent:field",
        "date:>2020",
        "IN [a b]",
        "😀 città <script>",
    ] {
        let result = index.search(&Query {
            text: text.to_owned(),
            ..Query::default()
        });
        assert!(result.is_ok(), "{text:?} failed: {result:?}");
    }
    assert_eq!(search(&index, "").total, 0);
    assert_eq!(search(&index, "  ").hits.len(), 0);
    assert_eq!(keys(&search(&index, "scadenza: (urgente")), ["a"]);
    assert_eq!(keys(&search(&index, "ore 12:00")), ["a"]);
    assert_eq!(keys(&search(&index, "bando:2025")), ["a"]);
    assert_eq!(keys(&search(&index, "Emilia-Romagna")), ["a"]);
    assert_eq!(search(&index, "Romagna-Emilia").total, 0);
}

#[test]
fn snippets_are_escaped_and_marked() {
    let index = index_with(vec![
        doc(
            "a",
            "Appalti & <gare> \"2025\"",
            "Premessa. <script>alert('x')</script> Gli appalti della città sono pubblicati.",
        ),
        doc(
            "b",
            "Appalto del ponte",
            "Nessuna <b>corrispondenza</b> nel testo.",
        ),
    ]);
    let results = search(&index, "appalto citta");
    assert_eq!(keys(&results), ["a"]);
    let hit = &results.hits[0];
    assert_eq!(
        hit.title_html,
        "<mark>Appalti</mark> &amp; &lt;gare&gt; &quot;2025&quot;"
    );
    assert_eq!(
        hit.snippet_html,
        "Premessa. &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Gli <mark>appalti</mark> \
         della <mark>città</mark> sono pubblicati."
    );

    // A title-only match shows the beginning of the body.
    let hit = search(&index, "ponte").hits.remove(0);
    assert_eq!(hit.title_html, "Appalto del <mark>ponte</mark>");
    assert_eq!(
        hit.snippet_html,
        "Nessuna &lt;b&gt;corrispondenza&lt;/b&gt; nel testo."
    );
}

#[test]
fn long_bodies_are_cut_around_the_match() {
    let body = format!(
        "{} La gara per la manutenzione si chiude domani. {}",
        "Testo introduttivo senza termini. ".repeat(20),
        "Altro testo conclusivo. ".repeat(20)
    );
    let index = index_with(vec![doc("a", "Avviso", &body)]);
    let snippet = search(&index, "manutenzione").hits.remove(0).snippet_html;
    assert!(snippet.starts_with("… "), "{snippet}");
    assert!(snippet.ends_with(" …"), "{snippet}");
    assert!(snippet.contains("<mark>manutenzione</mark>"), "{snippet}");
    assert!(snippet.chars().count() < 260, "{snippet}");

    let snippet = search(&index, "avviso").hits.remove(0).snippet_html;
    assert!(snippet.starts_with("Testo introduttivo"), "{snippet}");
    assert!(snippet.ends_with(" …"), "{snippet}");

    // Matches far into a long body are found, but the snippet shows its beginning.
    let body = format!("{} Il ponte riapre.", "Testo senza termini. ".repeat(500));
    let index = index_with(vec![doc("long", "Avviso", &body)]);
    let hit = search(&index, "ponte").hits.remove(0);
    assert_eq!(hit.key, "long");
    assert!(hit.snippet_html.starts_with("Testo senza termini."));
    assert!(!hit.snippet_html.contains("<mark>"));
}
