//! argon2id hashing on a bounded pool of its own: at most `hash_concurrency` hashes run at
//! once and at most `hash_queue_limit` wait, so a burst of logins cannot starve other requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, Semaphore};

use crate::config::AuthSettings;
use crate::error::ApiError;

/// A hash to compute on one of the hashing threads.
type Job = Box<dyn FnOnce() + Send>;

/// The password hasher shared by all requests.
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    concurrency: usize,
    /// Hashes run on `concurrency` threads of their own, started on first use. argon2's
    /// 19 MiB of blocks are then reused by the same few threads; on the shared blocking pool
    /// each hash left its blocks in the malloc arena of whichever thread ran it, and a login
    /// storm grew the server to 490 MiB.
    workers: std::sync::OnceLock<std::sync::mpsc::Sender<Job>>,
    waiting: AtomicUsize,
    queue_limit: usize,
    /// A hash of a random password, verified against when an email is unknown so that
    /// answers take the same time whether or not the account exists.
    dummy: OnceCell<String>,
}

impl Hasher {
    /// A hasher with the configured cost and concurrency.
    pub fn new(settings: &AuthSettings) -> Result<Self, ApiError> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
            None,
        )
        .map_err(|e| ApiError::internal(format!("argon2 params: {e}")))?;
        // Half the cores by default: a login storm then leaves the other half to every
        // other request (on 2 cores, one hash at a time).
        let concurrency = if settings.hash_concurrency == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get().div_ceil(2))
                .unwrap_or(1)
        } else {
            settings.hash_concurrency
        };
        Ok(Hasher {
            params,
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            workers: std::sync::OnceLock::new(),
            waiting: AtomicUsize::new(0),
            queue_limit: settings.hash_queue_limit,
            dummy: OnceCell::new(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(Params) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        if self.waiting.fetch_add(1, Ordering::SeqCst)
            >= self.queue_limit + self.permits.available_permits()
        {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::TooManyRequests {
                code: "server.busy",
                retry_after_secs: 1,
            });
        }
        let permit = self.permits.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.map_err(|e| ApiError::internal(format!("hasher closed: {e}")))?;
        let params = self.params.clone();
        let (done, out) = tokio::sync::oneshot::channel();
        self.workers()?
            .send(Box::new(move || {
                let _ = done.send(work(params));
            }))
            .map_err(|e| ApiError::internal(format!("hashing threads gone: {e}")))?;
        let out = out
            .await
            .map_err(|e| ApiError::internal(format!("hash task: {e}")))?;
        drop(permit);
        Ok(out)
    }

    /// The hashing threads' queue; as many threads as permits, so a job never waits in it.
    fn workers(&self) -> Result<&std::sync::mpsc::Sender<Job>, ApiError> {
        if let Some(w) = self.workers.get() {
            return Ok(w);
        }
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for i in 0..self.concurrency {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| ApiError::internal(format!("hashing thread: {e}")))?;
        }
        // Two first logins at once: the loser's threads end when its sender is dropped.
        Ok(self.workers.get_or_init(|| tx))
    }

    /// A PHC string for `password`.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move |params| hash_with(params, &password)).await?
    }

    /// Hashes on the calling thread (CLI commands, which have no async runtime to protect).
    pub fn hash_blocking(&self, password: &str) -> Result<String, ApiError> {
        hash_with(self.params.clone(), password)
    }

    /// Checks `password` against a stored PHC string (constant-time inside argon2).
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, ApiError> {
        self.run(move |params| {
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            argon2id(params)
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .await
    }

    /// Spends the same work as a real check, for unknown accounts.
    pub async fn verify_dummy(&self, password: String) -> Result<(), ApiError> {
        let dummy = self
            .dummy
            .get_or_try_init(|| async {
                let random = crate::auth::tokens::random_token()?;
                self.hash(random).await
            })
            .await?
            .clone();
        self.verify(password, dummy).await.map(|_| ())
    }
}

fn argon2id(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_with(params: Params, password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| ApiError::internal(format!("getrandom: {e}")))?;
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| ApiError::internal(format!("salt: {e}")))?;
    argon2id(params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))
}
