//! The `pico` command line, as a Province's IT office uses it.

use std::process::Command;

struct Cli {
    dir: tempfile::TempDir,
    database_url: String,
}

impl Cli {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database_url = pico_kernel::test_support::fresh_database(dir.path()).await;
        Self { dir, database_url }
    }

    fn run(&self, args: &[&str]) -> String {
        let output = Command::new(env!("CARGO_BIN_EXE_pico"))
            .args(args)
            .env("PICO_DATA_DIR", self.dir.path())
            .env("PICO_DATABASE_URL", &self.database_url)
            .env("PICO_LOG", "warn")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            output.status.success(),
            "pico {args:?} failed:\n{stdout}\n{stderr}"
        );
        stdout + &stderr
    }
}

#[tokio::test]
async fn help_explains_the_subcommands() {
    let cli = Cli::new().await;
    let help = cli.run(&["--help"]);
    for command in ["serve", "migrate", "seed", "import", "audit"] {
        assert!(help.contains(command), "{help}");
    }
}

#[tokio::test]
async fn seeding_twice_prints_the_admin_password_once() {
    let cli = Cli::new().await;
    let first = cli.run(&["seed"]);
    assert!(
        first.contains("first platform administrator created"),
        "{first}"
    );
    let second = cli.run(&["seed", "--demo"]);
    assert!(
        !second.contains("first platform administrator created"),
        "{second}"
    );
}

#[tokio::test]
async fn an_updated_territory_file_is_imported_with_a_report() {
    let cli = Cli::new().await;
    cli.run(&["seed"]);
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pico-kernel/data/istat/comuni.csv"
    ))
    .unwrap();
    let updated: String = shipped
        .lines()
        .map(|line| {
            line.replacen(
                "026012,Castelfranco Veneto,Castelfranco Veneto,",
                "026012,Castelfranco,Castelfranco,",
                1,
            ) + "\n"
        })
        .collect();
    let file = cli.dir.path().join("comuni-2027.csv");
    std::fs::write(&file, updated).unwrap();
    let report = cli.run(&["import", "territory", file.to_str().unwrap()]);
    assert!(
        report.contains("renamed: Castelfranco Veneto → Castelfranco"),
        "{report}"
    );
    let again = cli.run(&["import", "territory", file.to_str().unwrap()]);
    assert!(!again.contains("renamed"), "{again}");
}

#[tokio::test]
async fn the_server_stops_gracefully_on_sigterm() {
    let cli = Cli::new().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Command::new(env!("CARGO_BIN_EXE_pico"))
        .arg("serve")
        .env("PICO_DATA_DIR", cli.dir.path())
        .env("PICO_DATABASE_URL", &cli.database_url)
        .env("PICO_BIND", format!("127.0.0.1:{port}"))
        .env("PICO_LOG_FORMAT", "json")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let ready = format!("http://127.0.0.1:{port}/readyz");
    let mut answered = false;
    for _ in 0..300 {
        if reqwest::get(&ready)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(answered, "the server never became ready");
    reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
        .await
        .unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = server.wait_with_output().unwrap();
    assert!(output.status.success(), "exit status {:?}", output.status);
    let log = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON log lines"))
        .collect();
    let request = lines
        .iter()
        .find(|l| l["span"]["path"] == "/healthz")
        .expect("the request is logged");
    assert!(
        request["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 36),
        "{request}"
    );
    assert!(lines.iter().any(|l| l["message"] == "stopped"), "{log}");
}

#[tokio::test]
async fn audit_verify_finds_an_entry_changed_behind_its_back() {
    let cli = Cli::new().await;
    cli.run(&["seed"]);
    let db = pico_kernel::db::connect(&cli.database_url).await.unwrap();
    for object in ["space:1", "person:2"] {
        pico_kernel::audit::record(
            &db,
            pico_kernel::audit::Record {
                actor_id: None,
                actor: "admin@pico.localhost".into(),
                action: "role.grant",
                object: object.into(),
                space_id: None,
                ip: Some("127.0.0.1".into()),
                detail: serde_json::json!({ "role": "editor" }),
            },
        )
        .await
        .unwrap();
    }
    assert!(
        cli.run(&["audit", "verify"])
            .contains("audit log intact: 2 entries")
    );

    // Someone with database access quietly changes what the first entry says.
    use sea_orm::ConnectionTrait;
    db.execute_unprepared(
        "UPDATE audit_entry SET detail = '{\"role\":\"space_admin\"}' WHERE id = 1",
    )
    .await
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_pico"))
        .args(["audit", "verify"])
        .env("PICO_DATA_DIR", cli.dir.path())
        .env("PICO_DATABASE_URL", &cli.database_url)
        .env("PICO_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("BROKEN at entry 1: content changed"),
        "{stderr}"
    );
}

#[tokio::test]
async fn reindex_rebuilds_the_search_index_from_the_database() {
    let cli = Cli::new().await;
    cli.run(&["seed"]);
    let db = pico_kernel::db::connect(&cli.database_url).await.unwrap();
    let treviso = pico_kernel::spaces::by_slug(&db, "treviso")
        .await
        .unwrap()
        .unwrap();
    let draft = pico_portal::model::Draft {
        title: "Manutenzione delle strade provinciali".into(),
        slug: "manutenzione-strade".into(),
        summary: "Lavori sulle strade.".into(),
        ..Default::default()
    };
    let item =
        pico_portal::model::create(&db, treviso.id, pico_portal::model::Kind::News, &draft, 1)
            .await
            .unwrap();
    pico_portal::model::transition(
        &db,
        item,
        pico_portal::model::Status::Published,
        (None, None),
        1,
    )
    .await
    .unwrap();
    // Written straight to the database, so no index knows it yet.
    assert!(
        cli.run(&["reindex"])
            .contains("search index rebuilt: 1 documents")
    );
    let index = pico_search::SearchIndex::open(&cli.dir.path().join("search")).unwrap();
    let found = index
        .search(&pico_search::Query {
            text: "strada".into(),
            audience: vec!["public".into()],
            space: None,
            kind: None,
            offset: 0,
            limit: 10,
        })
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.hits[0].url, "/treviso/notizie/manutenzione-strade");

    // While another process (here this test, in production the server) holds the index, the
    // other commands still work, and a rebuild says what to do.
    assert!(cli.run(&["audit", "verify"]).contains("audit log intact"));
    let output = Command::new(env!("CARGO_BIN_EXE_pico"))
        .arg("reindex")
        .env("PICO_DATA_DIR", cli.dir.path())
        .env("PICO_DATABASE_URL", &cli.database_url)
        .env("PICO_LOG", "warn")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("in use by a running server: stop it"),
        "{stderr}"
    );
}
