//! HTML rendering of titles and snippets with the matched terms in `<mark>`.

use std::ops::Range;

use tantivy::snippet::{SnippetGenerator, collapse_overlapped_ranges};

/// Length of a snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 200;
/// How much of the body is searched for the snippet, in bytes. Stemming costs about a
/// microsecond per word, so whole long bodies would cost milliseconds per hit.
const SNIPPET_SCAN: usize = 4_000;

/// Escapes the five characters that matter in HTML text and attribute values.
pub(crate) fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// `text` escaped, with the byte `ranges` wrapped in `<mark>`.
fn mark(text: &str, ranges: &[Range<usize>]) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let mut from = 0;
    for range in collapse_overlapped_ranges(ranges) {
        escape(&text[from..range.start], &mut html);
        html.push_str("<mark>");
        escape(&text[range.clone()], &mut html);
        html.push_str("</mark>");
        from = range.end;
    }
    escape(&text[from..], &mut html);
    html
}

/// The whole title, with its matches marked.
pub(crate) fn title(generator: &SnippetGenerator, title: &str) -> String {
    let snippet = generator.snippet(title);
    let offset = snippet.fragment_range().start;
    let ranges: Vec<_> = snippet
        .highlighted()
        .iter()
        .map(|r| r.start + offset..r.end + offset)
        .collect();
    mark(title, &ranges)
}

/// The best passage of the body with its matches marked, or the body's beginning when its
/// start has no match. An ellipsis shows where words were cut off.
pub(crate) fn snippet(generator: &SnippetGenerator, body: &str) -> String {
    let snippet = generator.snippet(&body[..body.floor_char_boundary(SNIPPET_SCAN)]);
    let (mut start, mut end) = if snippet.is_empty() {
        let end = body
            .char_indices()
            .nth(SNIPPET_CHARS)
            // Cut at a space so as not to split a word.
            .map_or(body.len(), |(end, _)| body[..end].rfind(' ').unwrap_or(end));
        (0, end)
    } else {
        let range = snippet.fragment_range();
        (range.start, range.end)
    };
    // The fragment spans from its first to its last word: take in the punctuation around.
    if !body[..start].chars().any(char::is_alphanumeric) {
        start = 0;
    }
    if !body[end..].chars().any(char::is_alphanumeric) {
        end = body.len();
    }
    let shift = snippet.fragment_range().start;
    let ranges: Vec<_> = snippet
        .highlighted()
        .iter()
        .map(|r| r.start + shift - start..r.end + shift - start)
        .collect();
    let mut html = String::new();
    if start > 0 {
        html.push_str("… ");
    }
    html.push_str(mark(&body[start..end], &ranges).trim());
    if end < body.len() {
        html.push_str(" …");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_escapes() {
        assert_eq!(
            mark("a <b> & 'c' \"d\"", &[2..5, 4..5]),
            "a <mark>&lt;b&gt;</mark> &amp; &#39;c&#39; &quot;d&quot;"
        );
        assert_eq!(
            mark("la città", &[0..2, 3..9]),
            "<mark>la</mark> <mark>città</mark>"
        );
    }
}
