//! Site search for Pi.Co.: a tantivy index of the documents of every module (news, pages,
//! events, …) with Italian stemming and accent folding, whose results are filtered by what
//! the reader may see.
//!
//! The index is derived data, rebuilt from the database by `pico reindex`: one per node, in a
//! directory that belongs to it (or in RAM for tests). Changes are applied in batches, each
//! committed with a checkpoint (the id of the last database change applied) so a restarted
//! node knows where to resume.

mod facets;
mod highlight;

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{QueryParser, QueryParserError};
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};

use crate::facets::Faceted;

/// Bumped whenever the schema or the analyzer changes: an index on disk with another version
/// is wiped and rebuilt.
const VERSION: u32 = 1;
/// The writer's indexing arena; the process must stay well under 100 MB.
const WRITER_MEMORY: usize = 20_000_000;
/// How far a result page can reach: deep pagination is not useful for site search and
/// would make the top-docs heap grow with the offset.
const MAX_LIMIT: usize = 100;
const MAX_OFFSET: usize = 10_000;
const TITLE_BOOST: f32 = 3.0;
const ANALYZER: &str = "it";

pub(crate) const F_AUDIENCE: &str = "audience";
pub(crate) const F_KIND: &str = "kind";
pub(crate) const F_SPACE: &str = "space";
pub(crate) const F_SPACE_NAME: &str = "space_name";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] TantivyError),
    #[error("search index directory: {0}")]
    Io(#[from] std::io::Error),
}

/// A searchable item of any module.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Unique across the index, e.g. `"portale:news:42"`.
    pub key: String,
    /// `"news"`, `"page"`, `"event"`, …
    pub kind: String,
    /// Slug of the space, e.g. `"treviso"`.
    pub space: String,
    /// Display name of the space, e.g. `"Provincia di Treviso"`.
    pub space_name: String,
    pub title: String,
    /// Plain text: the caller strips the HTML.
    pub body: String,
    pub url: String,
    /// Stored with a precision of one second.
    pub date: Option<DateTime<Utc>>,
    /// Who may see it: `"public"`, or e.g. `"editors:3"`, `"person:17"`.
    pub audience: Vec<String>,
}

/// What a reader searches for.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// User input: all words must match; `"…"` for a phrase, `-word` to exclude, `OR`
    /// between alternatives. Never rejected: other punctuation is ignored, and what
    /// cannot be parsed is dropped. Finds nothing if it has no word to look for.
    pub text: String,
    /// The reader's grants: a document is visible if its audience shares one of them.
    pub audience: Vec<String>,
    /// Only this space (slug).
    pub space: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// At most 10 000.
    pub offset: usize,
    /// At most 100.
    pub limit: usize,
}

/// The first page of ten results for an anonymous reader (audience `public`).
impl Default for Query {
    fn default() -> Self {
        Query {
            text: String::new(),
            audience: vec!["public".to_owned()],
            space: None,
            kind: None,
            offset: 0,
            limit: 10,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    /// Visible matches in the chosen space and kind.
    pub total: usize,
    /// The requested page, best first.
    pub hits: Vec<Hit>,
    /// Visible matches per space, within the chosen kind (not the chosen space), most first.
    pub spaces: Vec<Facet>,
    /// Visible matches per kind, within the chosen space (not the chosen kind), most first.
    pub kinds: Vec<Facet>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub key: String,
    pub kind: String,
    pub space: String,
    pub space_name: String,
    pub title: String,
    pub url: String,
    pub date: Option<DateTime<Utc>>,
    /// The title, HTML-escaped, with the matched terms in `<mark>`: safe to insert as is.
    pub title_html: String,
    /// The best passage of the body, HTML-escaped, with the matched terms in `<mark>`.
    pub snippet_html: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Facet {
    pub value: String,
    /// The space name for spaces, the value itself for kinds.
    pub label: String,
    pub count: usize,
}

/// Stored in each commit's payload.
#[derive(Serialize, Deserialize)]
struct Payload {
    version: u32,
    checkpoint: Option<i64>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    space: Field,
    space_name: Field,
    title: Field,
    body: Field,
    url: Field,
    date: Field,
    audience: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        kind: builder.add_text_field(F_KIND, STRING | STORED | FAST),
        space: builder.add_text_field(F_SPACE, STRING | STORED | FAST),
        space_name: builder.add_text_field(F_SPACE_NAME, STORED | FAST),
        title: builder.add_text_field("title", text.clone()),
        body: builder.add_text_field("body", text),
        url: builder.add_text_field("url", STORED),
        date: builder.add_date_field(
            "date",
            DateOptions::default()
                .set_stored()
                .set_indexed()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        audience: builder.add_text_field(F_AUDIENCE, FAST),
    };
    (builder.build(), fields)
}

/// Words → long tokens dropped → lowercase → stop words → accents folded → Italian stems.
/// Folding comes before stemming so that "citta" and "città" meet.
fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::Italian).expect("tantivy has Italian stop words"))
        .filter(AsciiFoldingFilter)
        // Stop words often typed without their accent. Not all of them: the list's other
        // accented words fold into names such as "Sara" or "Fara".
        .filter(StopWordFilter::remove([
            "perche".to_owned(),
            "piu".to_owned(),
        ]))
        .filter(Stemmer::new(Language::Italian))
        .build()
}

fn payload(index: &Index) -> Result<Option<Payload>, SearchError> {
    Ok(index
        .load_metas()?
        .payload
        .and_then(|payload| serde_json::from_str(&payload).ok()))
}

/// Whether `index` has `schema` and no commit from another version.
fn is_current(index: &Index, schema: &Schema) -> bool {
    let Ok(metas) = index.load_metas() else {
        return false;
    };
    let version = metas
        .payload
        .map(|payload| serde_json::from_str::<Payload>(&payload).map(|p| p.version));
    index.schema() == *schema && matches!(version, None | Some(Ok(VERSION)))
}

/// The site search index. Cheap to clone; all clones share one writer.
#[derive(Clone)]
pub struct SearchIndex {
    inner: Arc<Inner>,
}

struct Inner {
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    checkpoint: Mutex<Option<i64>>,
    parser: QueryParser,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it if missing. An index that cannot be opened or
    /// comes from an incompatible version is wiped (with everything else in `dir`, which
    /// belongs to the index) and created empty: it is derived data, to be rebuilt.
    ///
    /// Only one `SearchIndex` per directory may be open at a time, across processes: the
    /// second fails on tantivy's writer lock.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let opened = Index::open_in_dir(dir).ok();
        let index = match opened.filter(|index| is_current(index, &schema)) {
            Some(index) => index,
            None => {
                // Without tantivy's meta.json, `dir` holds no index and nothing is deleted.
                if dir.join("meta.json").exists() {
                    for entry in fs::read_dir(dir)? {
                        let path = entry?.path();
                        if path.is_dir() {
                            fs::remove_dir_all(path)?;
                        } else {
                            fs::remove_file(path)?;
                        }
                    }
                }
                Index::create_in_dir(dir, schema)?
            }
        };
        Self::start(index, fields)
    }

    /// An empty index in memory, for tests.
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::start(Index::create_in_ram(schema), fields)
    }

    /// `fields` must come from the index's schema.
    fn start(index: Index, fields: Fields) -> Result<Self, SearchError> {
        index.tokenizers().register(ANALYZER, analyzer());
        let mut parser = QueryParser::for_index(&index, vec![fields.title, fields.body]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(fields.title, TITLE_BOOST);
        let writer = index.writer_with_num_threads(1, WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let checkpoint = payload(&index)?.and_then(|p| p.checkpoint);
        Ok(SearchIndex {
            inner: Arc::new(Inner {
                fields,
                reader,
                writer: Mutex::new(writer),
                checkpoint: Mutex::new(checkpoint),
                parser,
            }),
        })
    }

    /// Applies `deletions` (keys) then `upserts` (replacing any document with the same key)
    /// in one commit that records `checkpoint` (`None` keeps the previous one). Searches see
    /// the changes as soon as this returns. A commit costs milliseconds: apply changes in
    /// batches.
    pub fn apply(
        &self,
        upserts: Vec<Document>,
        deletions: Vec<String>,
        checkpoint: Option<i64>,
    ) -> Result<(), SearchError> {
        self.write(checkpoint, |writer, fields| {
            for key in deletions {
                writer.delete_term(Term::from_field_text(fields.key, &key));
            }
            for doc in upserts {
                writer.delete_term(Term::from_field_text(fields.key, &doc.key));
                writer.add_document(to_tantivy(fields, doc))?;
            }
            Ok(())
        })
    }

    /// Replaces the whole content with `docs` in one commit that records `checkpoint`
    /// (`None` keeps the previous one), and returns how many documents were indexed.
    /// Searches see the old content until it returns.
    pub fn rebuild(
        &self,
        docs: impl IntoIterator<Item = Document>,
        checkpoint: Option<i64>,
    ) -> Result<usize, SearchError> {
        let mut count = 0;
        self.write(checkpoint, |writer, fields| {
            writer.delete_all_documents()?;
            for doc in docs {
                writer.add_document(to_tantivy(fields, doc))?;
                count += 1;
            }
            Ok(())
        })?;
        Ok(count)
    }

    /// Runs `change` and commits it with `checkpoint`, or rolls it back if anything fails.
    fn write(
        &self,
        checkpoint: Option<i64>,
        change: impl FnOnce(&mut IndexWriter, Fields) -> tantivy::Result<()>,
    ) -> Result<(), SearchError> {
        let inner = &self.inner;
        let mut writer = lock(&inner.writer);
        // Read under the writer's lock, so that a concurrent commit cannot be undone.
        let checkpoint = checkpoint.or(*lock(&inner.checkpoint));
        let committed = change(&mut writer, inner.fields).and_then(|()| {
            let mut commit = writer.prepare_commit()?;
            let payload = Payload {
                version: VERSION,
                checkpoint,
            };
            commit.set_payload(&serde_json::to_string(&payload).expect("payload serializes"));
            commit.commit()
        });
        if let Err(error) = committed {
            writer.rollback()?;
            return Err(error.into());
        }
        inner.reader.reload()?;
        *lock(&inner.checkpoint) = checkpoint;
        Ok(())
    }

    /// The checkpoint of the last commit.
    pub fn checkpoint(&self) -> Option<i64> {
        *lock(&self.inner.checkpoint)
    }

    /// Number of documents in the index.
    pub fn len(&self) -> u64 {
        self.inner.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The visible documents matching `query`, by relevance, with title matches first.
    /// An empty text, or a reader with no grant, finds nothing.
    pub fn search(&self, query: &Query) -> Result<Results, SearchError> {
        let inner = &self.inner;
        let fields = inner.fields;
        if query.text.trim().is_empty() || query.audience.is_empty() {
            return Ok(Results::default());
        }
        let (text_query, errors) = inner.parser.parse_query_lenient(&sanitize(&query.text));
        // Only exclusions, or only stop words: tantivy would match every document.
        if errors
            .iter()
            .any(|error| matches!(error, QueryParserError::AllButQueryForbidden))
        {
            return Ok(Results::default());
        }
        let limit = query.limit.min(MAX_LIMIT);
        let collector = Faceted {
            top: TopDocs::with_limit(limit.max(1))
                .and_offset(query.offset.min(MAX_OFFSET))
                .order_by_score(),
            audience: query.audience.clone(),
            space: query.space.clone(),
            kind: query.kind.clone(),
        };
        let searcher = inner.reader.searcher();
        let (top, tally) = searcher.search(&*text_query, &collector)?;

        let mut title_generator = SnippetGenerator::create(&searcher, &*text_query, fields.title)?;
        // Titles are marked whole, not cut into a fragment.
        title_generator.set_max_num_chars(1000);
        let mut body_generator = SnippetGenerator::create(&searcher, &*text_query, fields.body)?;
        body_generator.set_max_num_chars(highlight::SNIPPET_CHARS);
        let hits = top
            .into_iter()
            .take(limit)
            .map(|(_score, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                let text = |field| {
                    doc.get_first(field)
                        .and_then(|value| value.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                let title = text(fields.title);
                Ok(Hit {
                    key: text(fields.key),
                    kind: text(fields.kind),
                    space: text(fields.space),
                    space_name: text(fields.space_name),
                    title_html: highlight::title(&title_generator, &title),
                    snippet_html: highlight::snippet(&body_generator, &text(fields.body)),
                    title,
                    url: text(fields.url),
                    date: doc
                        .get_first(fields.date)
                        .and_then(|value| value.as_datetime())
                        .and_then(|date| {
                            DateTime::from_timestamp_micros(date.into_timestamp_micros())
                        }),
                })
            })
            .collect::<Result<_, SearchError>>()?;

        let mut spaces: Vec<Facet> = tally
            .spaces
            .into_iter()
            .map(|(value, (count, label))| Facet {
                value,
                label,
                count,
            })
            .collect();
        spaces.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        let mut kinds: Vec<Facet> = tally
            .kinds
            .into_iter()
            .map(|(value, count)| Facet {
                label: value.clone(),
                value,
                count,
            })
            .collect();
        kinds.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));

        Ok(Results {
            total: tally.total,
            hits,
            spaces,
            kinds,
        })
    }
}

/// Keeps the syntax a reader may mean (words, `"phrases"`, `-exclusions`, `OR`) and blanks
/// the rest (fields, ranges, boosts, wildcards, …), which the tokenizer would drop anyway:
/// "ore 12:00" must not be read as a search in the field "ore".
fn sanitize(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() || c == '"' || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// Locks ignoring poisoning: the writer is rolled back on every failed change, and the
/// checkpoint is a plain value.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn to_tantivy(fields: Fields, doc: Document) -> TantivyDocument {
    let mut out = TantivyDocument::new();
    out.add_text(fields.key, doc.key);
    out.add_text(fields.kind, doc.kind);
    out.add_text(fields.space, doc.space);
    out.add_text(fields.space_name, doc.space_name);
    out.add_text(fields.title, doc.title);
    out.add_text(fields.body, doc.body);
    out.add_text(fields.url, doc.url);
    if let Some(date) = doc.date {
        out.add_date(
            fields.date,
            tantivy::DateTime::from_timestamp_micros(date.timestamp_micros()),
        );
    }
    for grant in doc.audience {
        out.add_text(fields.audience, grant);
    }
    out
}
