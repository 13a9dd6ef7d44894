//! The HTML editors write: sanitised on the server before it is stored, so that no script,
//! event handler or `javascript:` link reaches a page, and turned into plain text for
//! summaries, feeds and search.

use std::collections::HashSet;
use std::sync::LazyLock;

static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        // The page's title is its only h1.
        .tags(HashSet::from([
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "p",
            "br",
            "hr",
            "strong",
            "b",
            "em",
            "i",
            "u",
            "s",
            "sub",
            "sup",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
            "img",
            "figure",
            "figcaption",
            "table",
            "caption",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "th",
            "td",
            "code",
            "pre",
        ]))
        .generic_attributes(HashSet::new())
        .tag_attributes(
            [
                ("a", ["href", "title"].as_slice()),
                ("img", &["src", "alt", "width", "height"]),
                ("th", &["scope", "colspan", "rowspan"]),
                ("td", &["colspan", "rowspan"]),
                ("ol", &["start"]),
            ]
            .into_iter()
            .map(|(tag, attrs)| (tag, attrs.iter().copied().collect()))
            .collect(),
        )
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer"));
    builder
});

static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder.clean_content_tags(HashSet::from(["script", "style"]));
    builder
});

/// The HTML an editor sent, with only what a page may show.
pub fn sanitise(html: &str) -> String {
    SANITISER.clean(html).to_string().trim().to_owned()
}

/// The text of an HTML fragment, on one line.
pub fn text(html: &str) -> String {
    // Tags separate words: "<p>a</p><p>b</p>" reads "a b".
    let spaced = html.replace('<', " <");
    let escaped = TEXT_ONLY.clean(&spaced).to_string();
    let plain = escaped
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let dirty = r#"<h1>Titolo</h1><p onclick="steal()">Testo <script>alert(1)</script><a href="javascript:alert(2)">link</a> <img src=x onerror="alert(3)" alt="foto"></p><iframe src="https://evil.example"></iframe><style>body{}</style>"#;
        let clean = sanitise(dirty);
        for bad in [
            "script",
            "onclick",
            "onerror",
            "javascript:",
            "iframe",
            "style",
            "<h1",
        ] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(clean.contains("Testo"));
        assert!(clean.contains(r#"alt="foto""#));
    }

    #[test]
    fn what_editors_need_is_kept() {
        let html = r#"<h2>Orari</h2><p><strong>Aperto</strong> e <em>chiuso</em></p><ul><li>uno</li></ul><table><caption>Tabella</caption><tr><th scope="col">A</th></tr><tr><td colspan="2">1</td></tr></table><p><a href="https://www.example.it/bando.pdf">Bando</a> <a href="mailto:urp@provincia.it">scrivi</a></p>"#;
        let clean = sanitise(html);
        for kept in [
            "<h2>",
            "<strong>",
            "<em>",
            "<li>",
            "<caption>",
            r#"scope="col""#,
            r#"colspan="2""#,
            "https://www.example.it/bando.pdf",
            "mailto:urp@provincia.it",
            r#"rel="noopener noreferrer""#,
        ] {
            assert!(clean.contains(kept), "{kept} lost in {clean}");
        }
    }

    #[test]
    fn text_reads_as_words() {
        assert_eq!(
            text(
                "<p>Gara &amp; appalto</p><p>per le <strong>scuole</strong></p><script>x()</script>"
            ),
            "Gara & appalto per le scuole"
        );
    }
}
