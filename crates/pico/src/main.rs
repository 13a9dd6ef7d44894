//! `pico`: the one binary of Pi.Co. It reads the configuration, composes the modules and runs
//! the subcommand asked for.

use clap::{Parser, Subcommand};
use pico::registry;
use pico_kernel::config::LogFormat;
use pico_kernel::{Config, territory};

#[derive(Parser)]
#[command(
    name = "pico",
    version,
    about = "Pi.Co. – la piattaforma collaborativa delle Province italiane"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default): migrates and seeds the database first.
    Serve {
        /// Also add the demo content (sample users and branding).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the territory, the spaces and the first administrator (idempotent).
    Seed {
        /// Also add the demo content: pilot Provinces' branding, a few users per role.
        #[arg(long)]
        demo: bool,
    },
    /// Import data from a file.
    #[command(subcommand)]
    Import(Import),
    /// The audit log of administrative actions.
    #[command(subcommand)]
    Audit(Audit),
    /// Rebuild this node's search index from the database.
    Reindex,
}

#[derive(Subcommand)]
enum Audit {
    /// Check that no entry was changed, removed or reordered: walks the hash chain and exits
    /// with status 1 at the first break.
    Verify,
}

#[derive(Subcommand)]
enum Import {
    /// Re-import an updated ISTAT list of comuni (same columns as data/istat/comuni.csv):
    /// renamed, merged, moved and new comuni are recognised.
    Territory { file: std::path::PathBuf },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PICO_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Json => builder.json().flatten_event(true).init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load()?;
    init_logging(config.log_format);
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            let bind = config.bind;
            let state = pico_kernel::prepare(config, registry()).await?;
            if demo {
                pico::seed_demo(&state).await?;
            }
            let state = pico_kernel::AppState {
                demo: demo || state.demo,
                ..state
            };
            let listener = tokio::net::TcpListener::bind(bind).await?;
            tracing::info!(address = %listener.local_addr()?, url = %state.config.base_url, "Pi.Co. is serving");
            pico_kernel::serve(state, listener, shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Migrate => {
            let url = config.database_url();
            pico_kernel::db::prepare(&url)?;
            let db = pico_kernel::db::connect(&url).await?;
            let applied = pico_kernel::migrations::run(&db, registry().migrations()).await?;
            println!("{} migrations applied", applied.len());
        }
        Command::Seed { demo } => {
            let state = pico_kernel::prepare(config, registry()).await?;
            if demo {
                pico::seed_demo(&state).await?;
            }
            println!("seeded");
        }
        Command::Import(Import::Territory { file }) => {
            let csv = std::fs::read(&file)?;
            let state = pico_kernel::prepare(config, registry()).await?;
            let report = territory::import_comuni(&state.db, &csv).await?;
            pico_kernel::spaces::sync_with_territory(&state.db).await?;
            print!("{report}");
        }
        Command::Reindex => {
            let state = pico_kernel::prepare(config, registry()).await?;
            let count = pico_kernel::search::reindex(&state).await?;
            println!("search index rebuilt: {count} documents");
        }
        Command::Audit(Audit::Verify) => {
            let state = pico_kernel::prepare(config, registry()).await?;
            match pico_kernel::audit::verify(&state.db).await? {
                pico_kernel::audit::Verdict::Intact(count) => {
                    println!("audit log intact: {count} entries, every hash chained");
                }
                pico_kernel::audit::Verdict::Broken { id, reason } => {
                    eprintln!("audit log BROKEN at entry {id}: {reason}");
                    std::process::exit(1);
                }
            }
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM; the server then finishes the requests in flight.
async fn shutdown_signal() {
    let interrupt = async { tokio::signal::ctrl_c().await.expect("SIGINT handler") };
    #[cfg(unix)]
    let terminate = async {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler")
            .recv()
            .await;
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
