//! A collector that keeps what the reader may see, applies the space and kind filters and
//! counts the total and the facets, in the same pass that feeds the top-docs collector: a
//! search visits its matches once.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::{F_AUDIENCE, F_KIND, F_SPACE, F_SPACE_NAME};

/// Wraps `top`, fed only the visible documents that pass the space and kind filters, and
/// counts over every visible document:
/// - `total`: documents passing both filters;
/// - spaces: documents passing the kind filter, per space;
/// - kinds: documents passing the space filter, per kind.
///
/// Each facet ignores its own filter, so its counts tell how many results choosing
/// another value would give.
pub(crate) struct Faceted<C> {
    pub top: C,
    /// Documents are collected only if their audience has one of these grants.
    pub audience: Vec<String>,
    pub space: Option<String>,
    pub kind: Option<String>,
}

#[derive(Default)]
pub(crate) struct Tally {
    pub total: usize,
    /// space → (count, space name)
    pub spaces: HashMap<String, (usize, String)>,
    pub kinds: HashMap<String, usize>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.total += other.total;
        for (space, (count, name)) in other.spaces {
            self.spaces.entry(space).or_insert((0, name)).0 += count;
        }
        for (kind, count) in other.kinds {
            *self.kinds.entry(kind).or_default() += count;
        }
    }
}

/// A filter resolved against one segment's dictionary.
#[derive(Clone, Copy)]
enum Wanted {
    Any,
    Ord(u64),
    /// The wanted value does not occur in this segment.
    Nothing,
}

impl Wanted {
    fn resolve(filter: Option<&str>, column: Option<&StrColumn>) -> tantivy::Result<Self> {
        let Some(value) = filter else {
            return Ok(Wanted::Any);
        };
        let ord = match column {
            Some(column) => column.dictionary().term_ord(value)?,
            None => None,
        };
        Ok(ord.map_or(Wanted::Nothing, Wanted::Ord))
    }

    fn accepts(self, ord: Option<u64>) -> bool {
        match self {
            Wanted::Any => true,
            Wanted::Ord(wanted) => ord == Some(wanted),
            Wanted::Nothing => false,
        }
    }
}

pub(crate) struct FacetedSegment<S> {
    top: S,
    audience: Option<StrColumn>,
    /// Ordinals of the reader's grants in this segment.
    grants: Vec<u64>,
    space: Option<StrColumn>,
    kind: Option<StrColumn>,
    space_name: Option<StrColumn>,
    space_filter: Wanted,
    kind_filter: Wanted,
    total: usize,
    /// Indexed by space ordinal: (count, first document, to read the space name from).
    spaces: Vec<(usize, DocId)>,
    kinds: Vec<usize>,
}

fn ord(column: &Option<StrColumn>, doc: DocId) -> Option<u64> {
    column.as_ref().and_then(|column| column.ords().first(doc))
}

/// All the terms of `column`, by ordinal: reading the few spaces or kinds of a segment in one
/// go is much cheaper than looking them up one by one. `harvest` cannot fail, so an
/// unreadable dictionary (a corrupt segment) only leaves labels empty.
fn terms(column: &Option<StrColumn>) -> Vec<String> {
    let mut terms = Vec::new();
    if let Some(Ok(mut stream)) = column.as_ref().map(|column| column.dictionary().stream()) {
        while stream.advance() {
            terms.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
    }
    terms
}

impl<C: Collector> Collector for Faceted<C> {
    type Fruit = (C::Fruit, Tally);
    type Child = FacetedSegment<C::Child>;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        let space = fast.str(F_SPACE)?;
        let kind = fast.str(F_KIND)?;
        let audience = fast.str(F_AUDIENCE)?;
        let mut grants = Vec::new();
        if let Some(column) = &audience {
            for grant in &self.audience {
                grants.extend(column.dictionary().term_ord(grant)?);
            }
        }
        let terms = |column: &Option<StrColumn>| column.as_ref().map_or(0, |c| c.num_terms());
        Ok(FacetedSegment {
            top: self.top.for_segment(segment_ord, reader)?,
            space_filter: Wanted::resolve(self.space.as_deref(), space.as_ref())?,
            kind_filter: Wanted::resolve(self.kind.as_deref(), kind.as_ref())?,
            spaces: vec![(0, 0); terms(&space)],
            kinds: vec![0; terms(&kind)],
            space_name: fast.str(F_SPACE_NAME)?,
            audience,
            grants,
            space,
            kind,
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.top.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(<C::Child as SegmentCollector>::Fruit, Tally)>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut tally = Tally::default();
        let mut tops = Vec::with_capacity(fruits.len());
        for (top, segment_tally) in fruits {
            tops.push(top);
            tally.merge(segment_tally);
        }
        Ok((self.top.merge_fruits(tops)?, tally))
    }
}

impl<S: SegmentCollector> SegmentCollector for FacetedSegment<S> {
    type Fruit = (S::Fruit, Tally);

    fn collect(&mut self, doc: DocId, score: Score) {
        let visible = self.audience.as_ref().is_some_and(|column| {
            column
                .ords()
                .values_for_doc(doc)
                .any(|ord| self.grants.contains(&ord))
        });
        if !visible {
            return;
        }
        let space = ord(&self.space, doc);
        let kind = ord(&self.kind, doc);
        let space_ok = self.space_filter.accepts(space);
        let kind_ok = self.kind_filter.accepts(kind);
        if let (true, Some(space)) = (kind_ok, space) {
            let (count, first) = &mut self.spaces[space as usize];
            if *count == 0 {
                *first = doc;
            }
            *count += 1;
        }
        if let (true, Some(kind)) = (space_ok, kind) {
            self.kinds[kind as usize] += 1;
        }
        if space_ok && kind_ok {
            self.total += 1;
            self.top.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut tally = Tally {
            total: self.total,
            ..Tally::default()
        };
        if self.spaces.iter().any(|&(count, _)| count > 0) {
            let spaces = terms(&self.space);
            let names = terms(&self.space_name);
            let term = |terms: &[String], ord: u64| terms.get(ord as usize).cloned();
            for (space, &(count, first)) in spaces.iter().zip(&self.spaces) {
                if count > 0 {
                    let name = ord(&self.space_name, first).and_then(|ord| term(&names, ord));
                    tally
                        .spaces
                        .insert(space.clone(), (count, name.unwrap_or_default()));
                }
            }
        }
        if self.kinds.iter().any(|&count| count > 0) {
            for (kind, &count) in terms(&self.kind).into_iter().zip(&self.kinds) {
                if count > 0 {
                    tally.kinds.insert(kind, count);
                }
            }
        }
        (self.top.harvest(), tally)
    }
}
