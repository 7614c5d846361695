//! Starting the service: pool, migrations, state, the outbox sender, the notification worker
//! and the HTTP server.

use std::net::{SocketAddr, TcpListener};

use actix_web::{HttpServer, web};

use crate::config::Settings;
use crate::notifications::mailer::{Mailer, run_sender};
use crate::state::AppState;
use crate::{api, db};

/// A started server: its address, its handle and its state.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: actix_web::dev::ServerHandle,
    /// Ends when the server stops (signal or [`Running::stop`]).
    pub task: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    pub state: web::Data<AppState>,
    sender: Option<actix_web::rt::task::JoinHandle<()>>,
    worker: Option<actix_web::rt::task::JoinHandle<()>>,
}

impl Running {
    /// Stops the server and the sender.
    pub async fn stop(self) {
        for task in [self.sender, self.worker].into_iter().flatten() {
            task.abort();
        }
        self.handle.stop(false).await;
    }
}

/// Opens the pool and, when configured, migrates.
pub fn open_database(settings: &Settings) -> Result<db::Pool, String> {
    let pool = db::pool(
        &settings.database.url,
        settings.database.pool_size,
        settings.database.busy_timeout_ms,
    )
    .map_err(|e| format!("database {}: {e}", redact(&settings.database.url)))?;
    if settings.database.migrate_on_start {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let n = db::migrate(&mut conn)?;
        if n > 0 {
            tracing::info!(applied = n, "migrations applied");
        }
    }
    Ok(pool)
}

/// Hides the password in a database URL for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Binds and starts serving on the current actix system; await `task` or call `stop`. The
/// signing secret is settled first ([`Settings::with_signing_secret`]).
pub fn start(settings: Settings) -> Result<Running, String> {
    start_with_clock(settings, crate::clock::Clock::default())
}

/// [`start`] with the clock the background work goes by (tests pass a manual one).
pub fn start_with_clock(settings: Settings, clock: crate::clock::Clock) -> Result<Running, String> {
    // Outside production a placeholder secret becomes the generated one, before anything signs.
    let settings = settings.with_signing_secret().map_err(|e| e.to_string())?;
    let pool = open_database(&settings)?;
    let mailer = if settings.mail.sender_enabled {
        Some(Mailer::from_settings(&settings.mail)?)
    } else {
        None
    };
    let mut state = AppState::new(settings, pool).map_err(|e| e.to_string())?;
    state.clock = clock;
    let state = web::Data::new(state);
    let listener = TcpListener::bind(&state.settings.server.bind)
        .map_err(|e| format!("bind {}: {e}", state.settings.server.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let doc = api::openapi();
    let app_state = state.clone();
    let workers = match state.settings.server.workers {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        n => n,
    };
    let server = HttpServer::new(move || api::app(app_state.clone(), doc.clone()))
        .workers(workers)
        .listen(listener)
        .map_err(|e| e.to_string())?
        .run();
    let sender = mailer.map(|m| actix_web::rt::spawn(run_sender(state.clone(), m)));
    let worker = state
        .settings
        .notifications
        .worker_enabled
        .then(|| actix_web::rt::spawn(crate::notifications::worker::run(state.clone())));
    // Other nodes' fan-outs reach this node's live streams through PostgreSQL NOTIFY.
    crate::notifications::stream::listen(&state, state.settings.database.url.clone());
    Ok(Running {
        addr,
        handle: server.handle(),
        task: actix_web::rt::spawn(server),
        state,
        sender,
        worker,
    })
}
