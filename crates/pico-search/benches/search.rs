//! Builds an on-disk index of synthetic Italian public-administration documents and measures
//! search latency. `BENCH_DOCS` sets the number of documents (default 100 000),
//! `BENCH_QUERIES` the number of measured queries (default 5 000). The queries run once the
//! background merges that follow the build have settled.
//!
//!     cargo bench -p pico-search --bench search
//!     BENCH_DOCS=1000000 cargo bench -p pico-search --bench search

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use pico_search::{Document, Query, SearchIndex};

/// Content words, most frequent first: the generator draws early words more often.
const WORDS: &str = "comune provincia servizio servizi avviso bando bandi gara gare appalto \
    appalti lavori lavoro strada strade stradale scuola scuole scolastico scolastica \
    scolastici manutenzione manutenzioni progetto progetti finanziamento finanziamenti \
    contributo contributi formazione corso corsi cittadini cittadino ufficio uffici \
    territorio territoriale ambiente ambientale sicurezza pubblico pubblica pubblici \
    pubbliche regione regionale consiglio consiglieri presidente sindaco sindaci giunta \
    delibera delibere determina determinazione decreto decreti ordinanza ordinanze \
    regolamento regolamenti domanda domande scadenza scadenze termine termini modulo \
    moduli documento documenti richiesta richieste pagamento pagamenti tributo tributi \
    tassa tasse imposta canone canoni concessione concessioni autorizzazione \
    autorizzazioni permesso permessi licenza licenze edificio edifici edilizia edilizio \
    immobile immobili patrimonio piano piani urbanistica urbanistico viabilità traffico \
    trasporto trasporti autobus mobilità ciclabile pista ponte ponti galleria rotatoria \
    cantiere cantieri chiusura chiusure interruzione deviazione asfaltatura segnaletica \
    illuminazione verde parco parchi giardino fiume fiumi argine alluvione frana \
    protezione civile emergenza allerta neve ghiaccio sgombero sale calendario orario \
    orari apertura sportello sportelli anagrafe certificato certificati residenza \
    elettorale elezioni votazione scrutatori personale concorso concorsi selezione \
    graduatoria assunzione assunzioni dipendenti mobilità incarico incarichi consulenza \
    affidamento affidamenti fornitura forniture acquisto acquisti convenzione \
    convenzioni accordo accordi protocollo intesa rete partenariato fondi fondo europeo \
    europei pnrr investimento investimenti bilancio rendiconto spesa spese entrate \
    trasparenza amministrazione amministrativo amministrativa trasparente accesso atti \
    privacy dati digitale digitali informatico piattaforma portale sito online \
    telematica identità spid cie pec firma istanza istanze pratica pratiche procedura \
    procedure procedimento istruttoria verifica verifiche controllo controlli ispezione \
    vigilanza polizia locale sanzione sanzioni multa verbale ricorso ricorsi tribunale \
    sentenza cultura culturale museo musei biblioteca biblioteche mostra mostre evento \
    eventi manifestazione festa sagra concerto teatro spettacolo turismo turistico \
    turistica ospitalità sport sportivo sportiva palestra piscina stadio impianto \
    impianti giovani giovanile anziani famiglie famiglia bambini infanzia nido asilo \
    sociale sociali assistenza disabilità inclusione lavoratori occupazione impresa \
    imprese azienda aziende agricoltura agricolo caccia pesca rifiuti raccolta \
    differenziata riciclo acqua acquedotto fognatura depurazione energia energetico \
    efficienza rinnovabile fotovoltaico riscaldamento clima qualità aria inquinamento \
    rumore salute sanitario sanitaria ospedale farmacia vaccinazione prevenzione \
    università ricerca studenti studente insegnanti docenti istituto istituti liceo \
    tecnico professionale laboratorio laboratori aula aule mensa refezione \
    trasporto_scolastico iscrizione iscrizioni graduatorie borsa borse studio premio \
    premi riconoscimento città paese frazione località centro storico periferia \
    quartiere piazza via viale vicolo incrocio semaforo parcheggio parcheggi sosta zona \
    zone area aree distretto comunità montana unione comuni associazione associazioni \
    volontariato volontari cooperativa consorzio ente enti istituzione istituzioni";

const FILLERS: [&str; 16] = [
    "di", "la", "il", "per", "del", "della", "e", "a", "in", "con", "dei", "delle", "al", "alla",
    "sono", "che",
];
/// Syllables of rare words (place and family names, codes): 8 000 of them, each in about
/// one document in 4 000, like the specific words readers also search for.
const SYLLABLES: [&str; 20] = [
    "ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru", "sa", "te", "vi", "zo", "ca", "ro",
    "le", "mi", "na", "to",
];
const KINDS: [&str; 3] = ["news", "page", "event"];
const SPACES: usize = 100;

/// splitmix64: deterministic and good enough for synthetic text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Skewed towards the start of `words`, roughly like word frequencies.
    fn word<'a>(&mut self, words: &[&'a str]) -> &'a str {
        let x = self.unit();
        words[(x * x * x * words.len() as f64) as usize]
    }

    /// `min` to `min + spread - 1` words, with fillers and full stops in between.
    fn rare_word(&mut self) -> String {
        (0..3)
            .map(|_| SYLLABLES[self.below(SYLLABLES.len())])
            .collect()
    }

    fn text(&mut self, words: &[&str], min: usize, spread: usize) -> String {
        let len = min + self.below(spread);
        let mut text = String::new();
        for i in 0..len {
            if i > 0 {
                text.push(' ');
            }
            if self.below(3) == 0 {
                text.push_str(FILLERS[self.below(FILLERS.len())]);
                text.push(' ');
            }
            text.push_str(self.word(words));
            if self.below(12) == 0 {
                text.push('.');
            }
        }
        text
    }
}

fn document(rng: &mut Rng, words: &[&str], i: usize) -> Document {
    let space = rng.below(SPACES);
    let kind = KINDS[[0, 0, 0, 0, 1, 1, 2][rng.below(7)]];
    let mut title = rng.text(words, 3, 6);
    title[..1].make_ascii_uppercase();
    let audience = if rng.below(10) == 0 {
        format!("editors:{space}")
    } else {
        "public".to_owned()
    };
    Document {
        key: format!("bench:{kind}:{i}"),
        kind: kind.to_owned(),
        space: format!("spazio-{space:03}"),
        space_name: format!("Provincia numero {space}"),
        body: format!(
            "{} {} {}",
            rng.text(words, 40, 200),
            rng.rare_word(),
            rng.rare_word()
        ),
        title,
        url: format!("/{kind}/{i}"),
        date: DateTime::<Utc>::from_timestamp(1_600_000_000 + (i as i64) * 97, 0),
        audience: vec![audience],
    }
}

fn query(rng: &mut Rng, words: &[&str]) -> Query {
    // Readers search for words across the vocabulary, not as skewed as the text, and
    // sometimes for a rare word.
    let mut text = if rng.below(5) == 0 {
        rng.rare_word()
    } else {
        words[rng.below(words.len())].to_owned()
    };
    if rng.below(2) == 0 {
        text.push(' ');
        text.push_str(rng.word(words));
    }
    let space = rng.below(SPACES);
    Query {
        text,
        audience: if rng.below(5) == 0 {
            vec!["public".to_owned(), format!("editors:{space}")]
        } else {
            vec!["public".to_owned()]
        },
        space: (rng.below(5) == 0).then(|| format!("spazio-{space:03}")),
        ..Query::default()
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                dir_size(&entry.path())
            } else {
                meta.len()
            }
        })
        .sum()
}

/// A line of /proc/self/status, e.g. `VmHWM`, in MB.
fn status_mb(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The 1-minute load average of the machine.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|load| load.split_whitespace().next().map(str::to_owned))
        .unwrap_or_default()
}

/// CPU time used by this process so far, from /proc/self/stat (utime + stime).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses: utime and stime are
    // the 14th and 15th fields of the line, in clock ticks (100 a second on Linux).
    let ticks: u64 = stat
        .rsplit_once(')')
        .map(|(_, fields)| {
            fields
                .split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|field| field.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

/// Waits until the process's background threads stop using CPU (at most 15 minutes).
fn wait_until_idle() {
    let deadline = Instant::now() + Duration::from_secs(900);
    loop {
        let before = cpu_time();
        std::thread::sleep(Duration::from_secs(2));
        if cpu_time() - before < Duration::from_millis(100) || Instant::now() > deadline {
            return;
        }
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    ms(sorted[((sorted.len() - 1) as f64 * p).round() as usize])
}

fn env_usize(key: &str, default: usize) -> usize {
    std::env::var(key)
        .ok()
        .and_then(|value| value.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn main() {
    let docs = env_usize("BENCH_DOCS", 100_000);
    let queries = env_usize("BENCH_QUERIES", 5_000);
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let dir = tempfile::tempdir().unwrap();

    // VmHWM counts the index files' pages mapped in memory, which the kernel can drop at
    // will; sample the anonymous memory to know its peak too.
    let peak_anon = Arc::new(AtomicU64::new(0));
    std::thread::spawn({
        let peak_anon = peak_anon.clone();
        move || {
            loop {
                let kb = (status_mb("RssAnon") * 1024.0) as u64;
                peak_anon.fetch_max(kb, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    });

    let index = SearchIndex::open(dir.path()).unwrap();
    let mut rng = Rng(42);
    let start = Instant::now();
    let indexed = index
        .rebuild((0..docs).map(|i| document(&mut rng, &words, i)), Some(1))
        .unwrap();
    let build = start.elapsed();
    assert_eq!(index.len(), indexed as u64);
    let rss_after_build = status_mb("VmRSS");
    // Segments go on merging in the background after the commit: measure once they settle.
    let start = Instant::now();
    wait_until_idle();
    let merges = start.elapsed();

    let mut rng = Rng(7);
    let warmup: Vec<Query> = (0..500).map(|_| query(&mut rng, &words)).collect();
    for q in &warmup {
        index.search(q).unwrap();
    }
    let queries: Vec<Query> = (0..queries).map(|_| query(&mut rng, &words)).collect();
    let load_before = load_average();
    let mut measured = Vec::with_capacity(queries.len());
    let start = Instant::now();
    for q in &queries {
        let t = Instant::now();
        let results = index.search(q).unwrap();
        // The work is proportional to the visible matches in all spaces, which the space
        // facet counts.
        let scanned: usize = results.spaces.iter().map(|facet| facet.count).sum();
        measured.push((t.elapsed(), scanned));
    }
    let elapsed = start.elapsed();
    let load_after = load_average();
    let matched: usize = measured.iter().map(|(_, scanned)| scanned).sum();
    let mut latencies: Vec<Duration> = measured.iter().map(|(latency, _)| *latency).collect();
    latencies.sort();

    let mut rng = Rng(99);
    let mut applies: Vec<Duration> = (0..20)
        .map(|i| {
            let key = rng.below(docs);
            let doc = document(&mut rng, &words, key);
            let t = Instant::now();
            index.apply(vec![doc], vec![], Some(2 + i)).unwrap();
            t.elapsed()
        })
        .collect();
    applies.sort();

    println!("documents            {indexed}");
    println!(
        "index build          {:.1} s ({:.0} docs/s)",
        build.as_secs_f64(),
        indexed as f64 / build.as_secs_f64()
    );
    println!("merges settled in    {:.1} s", merges.as_secs_f64());
    println!(
        "index size on disk   {:.1} MB",
        dir_size(dir.path()) as f64 / 1e6
    );
    println!(
        "queries              {} ({:.0} matches in all spaces on average)",
        latencies.len(),
        matched as f64 / latencies.len() as f64
    );
    println!(
        "latency ms           p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.90),
        percentile(&latencies, 0.99),
        ms(*latencies.last().unwrap())
    );
    for (low, high) in [
        (0, 1_000),
        (1_000, 10_000),
        (10_000, 100_000),
        (100_000, usize::MAX),
    ] {
        let mut bucket: Vec<Duration> = measured
            .iter()
            .filter(|(_, scanned)| (low..high).contains(scanned))
            .map(|(latency, _)| *latency)
            .collect();
        if !bucket.is_empty() {
            bucket.sort();
            println!(
                "  {:>17}  p50 {:.2}  p99 {:.2}  ({} queries)",
                format!("{low}+ matches"),
                percentile(&bucket, 0.50),
                percentile(&bucket, 0.99),
                bucket.len()
            );
        }
    }
    println!(
        "throughput           {:.0} queries/s (one thread)",
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "load average         {load_before} before the queries, {load_after} after \
         (1 minute; the bench itself counts for 1)"
    );
    println!(
        "apply 1 doc + commit p50 {:.1} ms  max {:.1} ms",
        percentile(&applies, 0.5),
        ms(*applies.last().unwrap())
    );
    println!(
        "memory MB            peak RSS (VmHWM) {:.0}, peak anonymous {:.0}, RSS after build \
         {:.0}, now {:.0} (anonymous {:.0}, file-backed {:.0})",
        status_mb("VmHWM"),
        peak_anon.load(Ordering::Relaxed) as f64 / 1024.0,
        rss_after_build,
        status_mb("VmRSS"),
        status_mb("RssAnon"),
        status_mb("RssFile")
    );
}
